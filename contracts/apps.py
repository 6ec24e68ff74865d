from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "案件・契約"

    def ready(self) -> None:
        from contracts.constants import AUDIT_ACTIONS, STORED_FILE_KINDS
        from core import labels

        labels.register(actions=AUDIT_ACTIONS, file_kinds=STORED_FILE_KINDS)
