from django.apps import AppConfig


class EsignSandboxConfig(AppConfig):
    name = "esign_sandbox"
    verbose_name = "クラウドサイン サンドボックス（開発用）"

    def ready(self) -> None:
        from core.pages import register_two_factor_exempt
        from esign_sandbox import checks  # noqa: F401  (registers the system check)

        register_two_factor_exempt("/sandbox/")  # the stand-in for CloudSign's API
