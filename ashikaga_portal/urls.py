from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from accounts.views import admin_login
from core.health import favicon, healthz, livez, robots
from core.metrics import metrics
from core.middleware import portal_not_found

admin.site.site_header = "足利市 電子契約ポータル 管理"
admin.site.site_title = "足利市 電子契約ポータル 管理"
admin.site.index_title = "業務ホーム"

handler400 = "core.views.bad_request"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("metrics", metrics, name="metrics"),
    path("robots.txt", robots, name="robots"),
    path("favicon.ico", favicon, name="favicon"),
    # The admin's own login form would be a second way in with its own rules: it is the portal's.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("files/", include("core.urls")),
    path("", include("applications.urls")),
    path("", include("portal.urls")),
    path("", include("contracts.urls")),
]

if settings.ESIGN_SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/cloudsign/", include("esign_sandbox.urls")))

if settings.DEBUG and settings.PORTAL_ERROR_PAGES_IN_DEBUG:
    # Unknown addresses get the Japanese 404 page in development too (PortalErrorPagesMiddleware).
    # (Only addresses ending in 「/」, so that APPEND_SLASH still redirects 「/admin」.)
    urlpatterns.append(re_path(r"^(?P<path>.*/)$", portal_not_found))
