from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "利用者・事業者"

    def ready(self) -> None:
        from accounts import roles, signals  # noqa: F401  (signals: the login throttle)
        from accounts.constants import AUDIT_ACTIONS
        from core import labels

        labels.register(actions=AUDIT_ACTIONS)

        # Permissions of models added later join the roles automatically.
        post_migrate.connect(roles.sync_on_post_migrate, dispatch_uid="accounts.roles.sync")
