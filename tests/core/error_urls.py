"""The portal's URLs plus three that fail, to see the error pages as people would."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from ashikaga_portal.urls import urlpatterns as portal_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied


def bad(request):
    raise SuspiciousOperation("broken input")


urlpatterns = [
    path("__test__/boom/", boom),
    path("__test__/forbidden/", forbidden),
    path("__test__/bad/", bad),
    *portal_urlpatterns,
]
