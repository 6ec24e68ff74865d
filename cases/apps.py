from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "案件"

    def ready(self) -> None:
        from cases.constants import AUDIT_ACTIONS
        from core import labels

        labels.register(actions=AUDIT_ACTIONS, action_groups={"case": "案件"}, audit_target="cases")
