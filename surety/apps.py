from django.apps import AppConfig


class SuretyConfig(AppConfig):
    name = "surety"
    verbose_name = "電子保証"

    def ready(self) -> None:
        from core import labels
        from surety.constants import AUDIT_ACTIONS

        labels.register(actions=AUDIT_ACTIONS)

        from applications.kinds import register_hooks
        from surety.hooks import NoticeFiling

        # The 認証キーのお知らせ filing reads the notice and registers the certificate.
        register_hooks("surety_notice", NoticeFiling)
