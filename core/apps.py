from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "共通"

    def ready(self) -> None:
        from core import admin as core_admin
        from core import checks  # noqa: F401  (registers the production checks)

        # The admin (first in INSTALLED_APPS) has discovered every admin module by now: give the
        # ModelAdmins registered by other packages (auth, axes, django-otp) the strict lookups too.
        core_admin.enforce_strict_lookups()
