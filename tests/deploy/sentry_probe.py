"""Run as a process with SENTRY_DSN set (tests/deploy/test_sentry.py): a request whose view fails
with secrets in its form, headers, cookies and local variables, and an error logged with some."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ashikaga_portal.settings")
django.setup()

import logging  # noqa: E402

import sentry_sdk  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402

from tests.deploy import secrets_for_sentry as s  # noqa: E402


def failing_view(request):
    auth_key = s.AUTH_KEY
    password = request.POST.get("password")
    contractor = {"name": s.NAME, "email": s.EMAIL, "address": s.ADDRESS, "phone": s.PHONE}
    raise RuntimeError(f"surety check failed for {contractor} with 認証キー: {auth_key} {password}")


urlpatterns = [path("fail/", failing_view)]

with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
    client = Client(raise_request_exception=False)
    client.cookies["remember_token"] = s.SESSION  # (no session: this process has no tables)
    response = client.post(
        "/fail/",
        {"password": s.PASSWORD, "auth_key": s.AUTH_KEY, "name": s.NAME, "email": s.EMAIL},
        HTTP_AUTHORIZATION=f"Bearer {s.TOKEN}",
    )
    assert response.status_code == 500, response.status_code

logging.getLogger("surety").error("認証キー %s could not be read for %s", s.AUTH_KEY, s.EMAIL)
sentry_sdk.flush(timeout=10)
print("probe done")
