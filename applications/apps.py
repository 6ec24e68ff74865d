from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "オンライン申請"

    def ready(self) -> None:
        from applications.constants import AUDIT_ACTIONS, STORED_FILE_KINDS
        from core import labels

        labels.register(actions=AUDIT_ACTIONS, file_kinds=STORED_FILE_KINDS)
