"""What every resource of the sandbox API shares: errors, input checks, the request pipeline
(fault injection, authentication, method dispatch) and the document lookup."""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from esign_sandbox import engine, serialize
from esign_sandbox.engine import SandboxError
from esign_sandbox.models import (
    AccessToken,
    Account,
    DocStatus,
    Document,
    Fault,
    FaultKind,
    File,
    Participant,
    Reportee,
)

DEMO_CLIENT_ID = "00000000-0000-4000-8000-000000000000"
LANGUAGES = {"ja", "en", "zh-CHS", "zh-CHT"}
TRUE = {"1", "t", "T", "TRUE", "true", "True"}
FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


@csrf_exempt
def unknown_route(request: HttpRequest, path: str = "") -> JsonResponse:
    """Every route the sandbox does not implement answers with the specification's error body."""
    return error(404, "not_found", "not found")


def go_bool(form: QueryDict, name: str, default: bool | None = None) -> bool | None:
    """Go's strconv.ParseBool, which the service uses for its boolean fields."""
    value = form.get(name)
    if value is None or value == "":
        return default
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise SandboxError(400, "bad_request", f"invalid boolean for {name}")


def checked_email(value: str | None) -> str:
    value = (value or "").strip()
    if not value or len(value) > 254:
        raise SandboxError(400, "bad_request", "invalid email")
    try:
        validate_email(value)
    except ValidationError:
        raise SandboxError(400, "bad_request", "invalid email") from None
    domain = value.rsplit("@", 1)[1].lower().rstrip(".")
    if not domain_may_exist(domain):  # the service checks that the domain exists
        raise SandboxError(400, "bad_request", "email domain does not exist")
    return value


# Names that never receive mail (RFC 2606, 6761, 6762, 7686, 8375; example.com/net/org publish a
# null MX, RFC 7505). The sandbox has no DNS: ``.example`` stands in for real domains (the demo
# data and the tests use it) — the real service would refuse it.
RESERVED_TLDS = {"invalid", "test", "localhost", "local", "onion", "internal", "arpa"}
NULL_MX_DOMAINS = {"example.com", "example.net", "example.org"}


def domain_may_exist(domain: str) -> bool:
    if domain.startswith("[") or "." not in domain:  # an address literal or a bare host name
        return False
    labels = domain.split(".")
    if labels[-1] in RESERVED_TLDS or labels[-1].isdigit():
        return False
    return not any(domain == d or domain.endswith("." + d) for d in NULL_MX_DOMAINS)


def checked_text(
    form: QueryDict, name: str, *, max_len: int, required: bool = False, default: str = ""
) -> str:
    value = form.get(name)
    if value is None:
        if required:
            raise SandboxError(400, "bad_request", f"{name} is required")
        return default
    if (required and not value.strip()) or len(value) > max_len:
        raise SandboxError(400, "bad_request", f"invalid {name}")
    return value


def form_of(request: HttpRequest) -> QueryDict:
    """The form body of any method (Django only parses POST itself)."""
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("application/json"):
        raise SandboxError(400, "bad_request", "form body expected")
    if request.method == "POST":
        form = request.POST
    elif request.body:
        form = QueryDict(request.body, encoding="utf-8")
    else:
        form = QueryDict()
    _refuse_nul(form)
    return form


def _refuse_nul(params: QueryDict) -> None:
    """A NUL character is no text (PostgreSQL cannot even store it): 400, as for any bad value."""
    for key, values in params.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            raise SandboxError(400, "bad_request", "invalid character (NUL) in the request")


# --- request pipeline -----------------------------------------------------------------------


def _matching_fault(request: HttpRequest) -> Fault | None:
    path = request.path.split("/sandbox/cloudsign", 1)[-1]
    for fault in Fault.objects.filter(active=True):
        if fault.method not in ("*", request.method) or not re.search(fault.path_regex, path):
            continue
        if random.random() >= fault.rate:
            continue
        if fault.remaining is not None:
            taken = Fault.objects.filter(pk=fault.pk, remaining__gt=0).update(
                remaining=F("remaining") - 1
            )
            if not taken:
                continue
        return fault
    return None


def _authenticate(request: HttpRequest) -> Account:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        raise SandboxError(400, "bad_request", "access token is not set properly")
    now = timezone.now()
    with transaction.atomic():
        token = (
            AccessToken.objects.select_for_update()
            .select_related("account")
            .filter(token=header[7:].strip(), expires_at__gt=now)
            .first()
        )
        if token is None:
            raise SandboxError(401, "unauthorized", "invalid or expired access token")
        if token.blocked_until and token.blocked_until > now:
            raise SandboxError(429, "too_many_requests", "too many requests")
        # A sliding window: the requests of the last 60 seconds, whenever the minute began
        # (counted per second: at most 60 [second, count] pairs, whatever the rate).
        second = int(now.timestamp())
        recent = [[s, n] for s, n in token.recent_requests if s > second - 60]
        if recent and recent[-1][0] == second:
            recent[-1][1] += 1
        else:
            recent.append([second, 1])
        if sum(n for _, n in recent) > settings.ESIGN_SANDBOX_RATE_LIMIT:
            token.blocked_until = now + dt.timedelta(seconds=60)
            recent = []
        token.recent_requests = recent
        token.save(update_fields=["recent_requests", "blocked_until"])
    if token.blocked_until and token.blocked_until > now:
        raise SandboxError(429, "too_many_requests", "too many requests")
    return token.account


def endpoint(handlers: dict[str, Callable], *, auth: bool = True) -> Callable:
    """One URL: method dispatch, faults, authentication and the rate limit, error bodies."""

    @csrf_exempt
    def view(request: HttpRequest, **kwargs) -> HttpResponse:
        handler = handlers.get(request.method)
        if handler is None:
            response = error(405, "method_not_allowed", "method not allowed")
            response["Allow"] = ", ".join(sorted(handlers))
            return response
        try:
            if auth:
                kwargs["account"] = _authenticate(request)
        except SandboxError as exc:
            return error(exc.status, exc.code, exc.message)
        # Injected faults hit authenticated calls only, so that a fault is never spent on a
        # request that would have failed anyway.
        fault = _matching_fault(request)
        if fault is not None:
            if fault.kind == FaultKind.RATE_LIMITED:
                return error(429, "too_many_requests", "too many requests (injected)")
            if fault.kind == FaultKind.SERVER_ERROR:
                return error(500, "internal_server_error", "internal server error (injected)")
            if fault.kind == FaultKind.DELAY:
                time.sleep(fault.delay_seconds)
        try:
            _refuse_nul(request.GET)
            response = handler(request, **kwargs)
        except SandboxError as exc:
            return error(exc.status, exc.code, exc.message)
        except Document.DoesNotExist:
            return error(404, "not_found", "document not found")
        except (File.DoesNotExist, Participant.DoesNotExist, Reportee.DoesNotExist):
            return error(404, "not_found", "not found")
        if fault is not None and fault.kind == FaultKind.TIMEOUT_AFTER_COMMIT:
            # The change above is committed; the gateway gives up anyway (as CloudSign's does).
            return HttpResponse(
                "<html><body><h1>504 Gateway Time-out</h1></body></html>",
                status=504,
                content_type="text/html",
            )
        return response

    return view


def wraps_doc(func: Callable) -> Callable:
    """Load the account's document for ``document_id`` (404 when it is not theirs)."""

    @wraps(func)
    def inner(request, account, document_id, **kwargs):
        doc = Document.objects.select_related("account").get(pk=document_id, account=account)
        return func(request, doc, **kwargs)

    return inner


def doc_response(doc: Document) -> JsonResponse:
    doc = Document.objects.select_related("account").get(pk=doc.pk)
    return JsonResponse(serialize.document_json(doc))


def changed(doc: Document) -> JsonResponse:
    """After a change to a document or its children: record the update, answer the document."""
    engine.touch(doc)
    doc.save()
    return doc_response(doc)


def require_draft(doc: Document) -> None:
    if doc.status != DocStatus.DRAFT:
        raise SandboxError(403, "not_acceptable", "document is not a draft")
