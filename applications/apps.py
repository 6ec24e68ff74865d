from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "オンライン申請"

    def ready(self) -> None:
        from applications.constants import AUDIT_ACTIONS, STORED_FILE_KINDS
        from core import labels

        labels.register(
            actions=AUDIT_ACTIONS,
            file_kinds=STORED_FILE_KINDS,
            payload={"receipt_number": "到達番号", "revision": "提出回数", "deadline": "期限"},
            action_groups={"application": "申請", "applications": "申請の出力"},
            audit_target="applications",
        )
