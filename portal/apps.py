from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "ポータル"

    def ready(self) -> None:
        # Every admin module has registered by now (the admin app is ready first).
        from django.contrib import admin

        from portal.adminsite import restrict_system_admins

        restrict_system_admins(admin.site)
