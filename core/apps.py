from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "共通"

    def ready(self) -> None:
        from core import admin as core_admin
        from core import checks  # noqa: F401  (registers the production checks)
        from core import search as core_search

        core_search.register_lookups()
        connection_created.connect(core_search.register_sqlite_functions, dispatch_uid="core.nfkc")

        # The admin (first in INSTALLED_APPS) has discovered every admin module by now: give the
        # ModelAdmins registered by other packages (auth, axes, django-otp) the strict lookups too.
        core_admin.enforce_strict_lookups()
