from django.apps import AppConfig


class SuretyConfig(AppConfig):
    name = "surety"
    verbose_name = "電子保証"

    def ready(self) -> None:
        from core import labels
        from surety.constants import AUDIT_ACTIONS

        labels.register(
            actions=AUDIT_ACTIONS,
            payload={"corrected": "訂正"},
            action_groups={"surety": "保証"},
            audit_target="surety",
        )

        from applications.kinds import register_hooks
        from surety.hooks import AdvancePaymentFiling, NoticeFiling

        # The 認証キーのお知らせ filing reads the notice and registers the certificate.
        register_hooks("surety_notice", NoticeFiling)
        # A 保証契約番号 already registered on another case is pointed out before filing.
        register_hooks("advance_payment", AdvancePaymentFiling)
