from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "案件・契約"

    def ready(self) -> None:
        from django.core import checks

        from contracts.checks import trust_roots_configured

        checks.register(trust_roots_configured, checks.Tags.security)
        from contracts.integrity import signed_documents_reverify
        from core.integrity import register_check

        register_check(signed_documents_reverify)
        from contracts.constants import AUDIT_ACTIONS, STORED_FILE_KINDS
        from core import labels

        labels.register(
            actions=AUDIT_ACTIONS,
            file_kinds=STORED_FILE_KINDS,
            payload={
                "contracts": "契約",
                "contract": "契約",
                "document_id": "書類ID",
                "documents": "書類",
                "econtract": "電子契約利用申出書",
                "original": "元の契約",
                "signature": "電子署名",
                "signer": "署名者",
                "signing_request": "署名依頼",
                "differences": "相違",
                "attempts": "試行回数",
            },
            action_groups={"contract": "契約", "signing_request": "署名依頼"},
            audit_target="contracts",
        )
        from contracts.sync import sync_lag_seconds
        from core.metrics import register_gauge

        register_gauge(
            "keiyaku_sync_lag_seconds",
            "Seconds since the last completed signing-status sweep",
            sync_lag_seconds,
        )

        from core.pages import register_two_factor_exempt

        register_two_factor_exempt("/hooks/")  # CloudSign's webhook: a machine, no session
