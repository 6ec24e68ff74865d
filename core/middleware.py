"""Request ids in every log line, the Permissions-Policy header, and the two-factor rule."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    """Take the proxy's X-Request-ID (or make one), put it in the logs and the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


EXEMPT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/login/",
    "/static/",
    "/healthz",
    "/hooks/",
    "/sandbox/",
)


SESSION_HAS_DEVICE = "_otp_has_device"


def has_confirmed_device(request) -> bool:
    """Whether the user has enabled two-factor authentication; looked up once per session (a
    device enrolled in this session sets it; another session sees it at its next login)."""
    cached = request.session.get(SESSION_HAS_DEVICE)
    if cached is None:
        from django_otp import user_has_device

        cached = user_has_device(request.user, confirmed=True)
        request.session[SESSION_HAS_DEVICE] = cached
    return cached


class StaffTwoFactorMiddleware:
    """Staff must pass a TOTP token (enrolling first if they have no device); anyone who has
    enabled two-factor authentication must pass it too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not user.is_verified()
        ):
            has_device = has_confirmed_device(request)
            if has_device or (user.is_staff and settings.STAFF_REQUIRE_2FA):
                target = "accounts:otp_verify" if has_device else "accounts:otp_setup"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
