from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "ポータル"

    def ready(self) -> None:
        # Every admin module has registered by now (the admin app is ready first).
        from django.contrib import admin

        from portal.adminsite import restrict_system_admins

        restrict_system_admins(admin.site)

        from core import labels

        labels.register(
            actions={
                "archive.exported": "契約書の検索結果のCSV出力",
                "archive.export_written": "契約書の保管データの書き出し",
                "archive.zip_downloaded": "締結済み契約書のZIPダウンロード",
            }
        )
