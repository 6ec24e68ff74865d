from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "利用者・事業者"

    def ready(self) -> None:
        from accounts import roles, signals  # noqa: F401  (signals: the login throttle)
        from accounts.constants import AUDIT_ACTIONS
        from core import labels

        labels.register(
            actions=AUDIT_ACTIONS,
            payload={
                "recovery_code": "予備コード",
                "company_id": "事業者",
                "user_id": "利用者",
                "invited": "招待メール（件）",
            },
            action_groups={
                "company": "事業者",
                "department": "担当課",
                "invitation": "招待",
                "account": "アカウント・2段階認証",
            },
            audit_target="accounts",
        )

        from core.pages import register_page, register_two_factor_exempt

        # core's two-factor middleware sends to these pages and lets sign-in itself through
        register_page("otp_verify", "accounts:otp_verify")
        register_page("otp_setup", "accounts:otp_setup")
        register_two_factor_exempt("/accounts/2fa/", "/accounts/logout/", "/accounts/login/")

        # Permissions of models added later join the roles automatically.
        post_migrate.connect(roles.sync_on_post_migrate, dispatch_uid="accounts.roles.sync")
