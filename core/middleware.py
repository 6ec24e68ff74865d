"""Request ids in every log line, the Permissions-Policy header, the two-factor rule, no-store
on private responses and the idle timeout."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from core.pages import page_url, two_factor_exempt

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(request_id: str) -> contextvars.Token:
    """Bind a request id to the current context (a Celery task runs under its request's id)."""
    return _request_id.set(request_id if _VALID_ID.match(request_id or "") else "-")


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


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


# core's own; the apps register theirs (core.pages.register_two_factor_exempt)
EXEMPT_PREFIXES = ("/static/", "/favicon.ico", "/healthz", "/livez")


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
            and not request.path.startswith((*EXEMPT_PREFIXES, *two_factor_exempt()))
            and not user.is_verified()
        ):
            has_device = has_confirmed_device(request)
            if has_device or (user.is_staff and settings.STAFF_REQUIRE_2FA):
                target = page_url("otp_verify" if has_device else "otp_setup")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on everything a signed-in user gets — pages, files,
    PDFs — so that no browser or proxy cache keeps a copy after logout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or response.get(
            "Content-Type", ""
        ).startswith("application/pdf"):
            patch_cache_control(response, private=True, no_store=True)
        return response


SESSION_LAST_SEEN = "_last_seen"


class IdleTimeoutMiddleware:
    """Sign out a session unused for SESSION_IDLE_TIMEOUT_MINUTES (0: never); the last request
    time is written at most once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        idle = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
        user = getattr(request, "user", None)
        if idle and user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(SESSION_LAST_SEEN)
            if last is not None and now - int(last) > idle:
                from django.contrib import messages
                from django.contrib.auth import logout

                logout(request)
                messages.info(request, "一定時間操作がなかったため、ログアウトしました。")
                login = reverse(settings.LOGIN_URL)
                return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
            if last is None or now - int(last) >= 60:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


NUL_MESSAGE = "入力に使用できない文字（NUL文字）が含まれています。入力内容をご確認ください。"


API_PATHS = ("/sandbox/cloudsign/",)


class RejectNulMiddleware:
    """A NUL character in the query string or a form field is refused with a Japanese 400 before
    any view sees it (PostgreSQL cannot store it; nobody types it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PATHS):
            # The CloudSign stand-in answers as the real service does (its own JSON errors).
            return self.get_response(request)
        if _has_nul(request.GET) or (
            request.method == "POST"
            and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
            and _has_nul(request.POST)
        ):
            from django.shortcuts import render

            return render(
                request,
                "400.html",
                {"message": NUL_MESSAGE},
                status=400,
            )
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)


class PortalErrorPagesMiddleware:
    """With DEBUG on (``make run``), show the portal's Japanese 404/500 pages instead of Django's
    English debug pages, so that the demo shows what users will see (setting
    PORTAL_ERROR_PAGES_IN_DEBUG; the traceback still goes to the console log). With DEBUG off
    Django's own handlers already render them and this does nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (settings.DEBUG and settings.PORTAL_ERROR_PAGES_IN_DEBUG):
            return None
        from django.core.exceptions import PermissionDenied
        from django.http import Http404
        from django.shortcuts import render

        if isinstance(exception, Http404):
            return render(request, "404.html", status=404)
        if isinstance(exception, PermissionDenied):
            return None  # Django renders the 403 page with DEBUG on too
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", request.path, exc_info=exception
        )
        from django.template import loader

        return HttpResponseServerError(loader.get_template("500.html").render())


def portal_not_found(request, path: str = ""):
    """The catch-all for unknown addresses when PortalErrorPagesMiddleware is active."""
    from django.http import Http404

    raise Http404(path)
