from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from core.health import healthz, robots

admin.site.site_header = "足利市 電子契約ポータル 管理"
admin.site.site_title = "足利市 電子契約ポータル 管理"
admin.site.index_title = "業務ホーム"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots, name="robots"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("files/", include("core.urls")),
    path("", include("applications.urls")),
    path("", include("portal.urls")),
    path("", include("contracts.urls")),
]

if settings.ESIGN_SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/cloudsign/", include("esign_sandbox.urls")))
