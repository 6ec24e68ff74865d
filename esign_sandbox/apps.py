from django.apps import AppConfig


class EsignSandboxConfig(AppConfig):
    name = "esign_sandbox"
    verbose_name = "クラウドサイン サンドボックス（開発用）"

    def ready(self) -> None:
        from esign_sandbox import checks  # noqa: F401  (registers the system check)
