from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "案件・契約"

    def ready(self) -> None:
        from contracts.integrity import signed_documents_reverify
        from core.integrity import register_check

        register_check(signed_documents_reverify)
        from contracts.constants import AUDIT_ACTIONS, STORED_FILE_KINDS
        from core import labels

        labels.register(actions=AUDIT_ACTIONS, file_kinds=STORED_FILE_KINDS)
