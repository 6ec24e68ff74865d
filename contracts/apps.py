from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "案件・契約"

    def ready(self) -> None:
        from contracts.integrity import signed_documents_reverify
        from core.integrity import register_check

        register_check(signed_documents_reverify)
