from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "ポータル"

    def ready(self) -> None:
        # Every admin module has registered by now (the admin app is ready first).
        from django.contrib import admin

        from portal.adminsite import restrict_system_admins

        restrict_system_admins(admin.site)

        from portal import todo

        todo.connect()

        from core import labels
        from core.pages import register_page
        from portal import checks  # noqa: F401 - registers the deploy checks

        register_page("case", "case_detail")  # the case page, linked from lower apps

        labels.register(
            action_groups={"archive": "契約書の保管・出力"},
            actions={
                "archive.exported": "契約書の検索結果のCSV出力",
                "archive.export_written": "契約書の保管データの書き出し",
                "archive.zip_downloaded": "締結済み契約書のZIPダウンロード",
            },
        )
