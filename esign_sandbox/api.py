"""The CloudSign Web API (v0.31.0) as the local sandbox serves it."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import time
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Max, Q
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from pypdf import PdfReader

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
    PStatus,
    Reportee,
    Widget,
)

DEMO_CLIENT_ID = "00000000-0000-4000-8000-000000000000"
TOKEN_SECONDS = 3600
MAX_REQUEST_BYTES = 20 * 1024 * 1024
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_FILES = 100
MAX_RECIPIENTS = 128
PAGE_SIZE = 100
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
        return request.POST
    if request.body:
        return QueryDict(request.body, encoding="utf-8")
    return QueryDict()


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
            return error(405, "method_not_allowed", "method not allowed")
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


# --- /token and /me -------------------------------------------------------------------------


def token(request: HttpRequest) -> JsonResponse:
    form = request.POST if request.method == "POST" else request.GET
    client_id = (form.get("client_id") or "").strip()
    if not client_id:
        return error(400, "invalid_request", "client_id is required")
    account = Account.objects.filter(client_id=client_id).first()
    if account is None and client_id == DEMO_CLIENT_ID:
        account, _ = Account.objects.get_or_create(client_id=DEMO_CLIENT_ID)
    if account is None:
        return error(400, "invalid_client", "unknown client_id")
    now = timezone.now()
    with transaction.atomic():
        current = (
            AccessToken.objects.select_for_update()
            .filter(account=account, expires_at__gt=now)
            .order_by("-expires_at")
            .first()
        )
        if current is None:  # the same token is returned until it expires
            current = AccessToken.objects.create(
                token=str(uuid.uuid4()),
                account=account,
                expires_at=now + dt.timedelta(seconds=TOKEN_SECONDS),
            )
    remaining = int((current.expires_at - now).total_seconds())
    return JsonResponse(
        {"access_token": current.token, "expires_in": remaining, "token_type": "Bearer"}
    )


def me(request: HttpRequest, account: Account) -> JsonResponse:
    return JsonResponse(
        {
            "id": account.user_id,
            "email": account.email,
            "name": account.name,
            "organization": account.organization,
            "team": {"id": account.team_id, "name": account.team_name},
            "authorities": {
                "team_administrator": True,
                "team_document_administrator": True,
                "document_approver": False,
                "private_document_administrator": False,
            },
        }
    )


# --- documents ------------------------------------------------------------------------------


def list_documents(request: HttpRequest, account: Account) -> JsonResponse:
    q = request.GET
    try:
        page = max(int(q.get("page", "1")), 1)
    except ValueError:
        page = 1
    status = q.get("status", "-1")
    if status not in {"-1", "0", "1", "2", "3", "4"}:
        raise SandboxError(400, "bad_request", "invalid status")
    docs = Document.objects.filter(account=account).select_related("account")
    if status != "-1":
        docs = docs.filter(status=int(status))
    for name, lookup in (("from", "last_processed_at__gte"), ("to", "last_processed_at__lte")):
        if q.get(name):
            try:
                moment = dt.datetime.fromisoformat(q[name].replace("Z", "+00:00"))
            except ValueError:
                raise SandboxError(400, "bad_request", f"invalid {name}") from None
            if moment.tzinfo is None:
                raise SandboxError(400, "bad_request", f"invalid {name}")
            docs = docs.filter(**{lookup: moment})
    total = docs.count()
    docs = docs.order_by("-last_processed_at", "id").prefetch_related(
        "participants", "files__widgets", "reportees"
    )[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    flags = {
        "with_files": q.get("with_files", "y") == "y",
        "with_participants": q.get("with_participants", "y") == "y",
        "with_reportees": q.get("with_reportees", "n") == "y",
    }
    return JsonResponse(
        {
            "total": total,
            "page": page,
            "documents": [serialize.document_json(d, **flags) for d in docs],
        }
    )


def create_document(request: HttpRequest, account: Account) -> JsonResponse:
    form = form_of(request)
    if form.get("template_id"):
        raise SandboxError(403, "forbidden", "templates are not available in the sandbox")
    now = timezone.now()
    with transaction.atomic():
        doc = Document.objects.create(
            account=account,
            title=checked_text(form, "title", max_len=500),
            note=form.get("note", ""),
            message=checked_text(form, "message", max_len=16000),
            can_transfer=go_bool(form, "can_transfer", False),
            private=go_bool(form, "private", False),
            last_processed_at=now,
            created_at=now,
            updated_at=now,
        )
        Participant.objects.create(
            document=doc,
            order=0,
            email=account.email,
            name=account.name,
            organization=account.organization,
            status=PStatus.DRAFT,
        )
    return doc_response(doc)


@wraps_doc
def get_document(request: HttpRequest, doc: Document) -> JsonResponse:
    return doc_response(doc)


@wraps_doc
def update_document(request: HttpRequest, doc: Document) -> JsonResponse:
    form = form_of(request)
    require_draft(doc)
    if "title" in form:
        doc.title = checked_text(form, "title", max_len=500)
    if "note" in form:
        doc.note = form["note"]
    if "message" in form:
        doc.message = checked_text(form, "message", max_len=16000)
    doc.can_transfer = go_bool(form, "can_transfer", doc.can_transfer)
    doc.private = go_bool(form, "private", doc.private)
    return changed(doc)


@wraps_doc
def send_document(request: HttpRequest, doc: Document) -> JsonResponse:
    if doc.files.filter(total_pages=0).exists():
        raise SandboxError(400, "bad_request", "the PDF structure is broken")
    engine.send(doc)
    return doc_response(doc)


@wraps_doc
def delete_document(request: HttpRequest, doc: Document) -> HttpResponse:
    if doc.status != DocStatus.DRAFT:
        raise SandboxError(400, "bad_request", "only drafts can be deleted")
    doc.delete()
    return HttpResponse(status=204)


@wraps_doc
def decline_document(request: HttpRequest, doc: Document) -> JsonResponse:
    comment = form_of(request).get("comment", "")
    if len(comment) > 1000:
        raise SandboxError(400, "bad_request", "comment is too long")
    engine.decline(doc, comment)
    return doc_response(doc)


@wraps_doc
def certificate(request: HttpRequest, doc: Document) -> HttpResponse:
    if doc.status != DocStatus.CONCLUDED or not doc.certificate:
        raise SandboxError(404, "not_found", "the document is not concluded")
    return HttpResponse(bytes(doc.certificate), content_type="application/pdf")


# --- files and widgets ----------------------------------------------------------------------


@wraps_doc
def add_file(request: HttpRequest, doc: Document) -> JsonResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES:
        raise SandboxError(413, "too_large_request", "request is too large")
    if not request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
        raise SandboxError(415, "unsupported_media_type", "multipart/form-data expected")
    require_draft(doc)
    upload = request.FILES.get("uploadfile")
    if upload is None:
        raise SandboxError(400, "bad_request", "uploadfile is required")
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if declared not in ("application/pdf", "application/octet-stream", ""):
        raise SandboxError(415, "unsupported_media_type", "only PDF files are accepted")
    data = upload.read()
    if not data:
        raise SandboxError(400, "bad_request", "the file is empty")
    if not data.startswith(b"%PDF-"):
        raise SandboxError(400, "bad_request", "the file does not start with %PDF-")
    if not data.rstrip(b"\r\n\t ").endswith(b"%%EOF"):
        raise SandboxError(400, "bad_request", "the file does not end with %%EOF")
    existing = doc.files.aggregate(n=Max("order"))
    if doc.files.count() >= MAX_FILES:
        raise SandboxError(400, "bad_request", "too many files")
    total = sum(doc.files.values_list("size", flat=True))
    if total + len(data) > MAX_DOCUMENT_BYTES:
        raise SandboxError(400, "bad_request", "files exceed 50MB in total")
    try:
        pages = len(PdfReader(io.BytesIO(data), strict=False).pages)
    except Exception:
        pages = 0  # refused at send time, as the service does for a broken structure
    name = (request.POST.get("name") or upload.name or "document.pdf")[:255]
    File.objects.create(
        document=doc,
        name=name,
        order=0 if existing["n"] is None else existing["n"] + 1,
        total_pages=pages,
        size=len(data),
        data=data,
    )
    return changed(doc)


@wraps_doc
def get_file(request: HttpRequest, doc: Document, file_id: str) -> HttpResponse:
    f = doc.files.get(pk=file_id)
    if doc.account.lgwan:
        # The specification: on LGWAN some files cannot be downloaded → 400 bad_request.
        return error(400, "bad_request", "this file cannot be downloaded in the LGWAN environment")
    data = f.signed_data if doc.status == DocStatus.CONCLUDED and f.signed_data else f.data
    return HttpResponse(bytes(data), content_type="application/pdf")


@wraps_doc
def delete_file(request: HttpRequest, doc: Document, file_id: str) -> JsonResponse:
    f = doc.files.get(pk=file_id)
    require_draft(doc)
    f.delete()
    return changed(doc)


@wraps_doc
def add_widget(request: HttpRequest, doc: Document, file_id: str) -> JsonResponse:
    f = doc.files.get(pk=file_id)
    require_draft(doc)
    form = form_of(request)
    try:
        participant = doc.participants.get(pk=form.get("participant_id", ""))
        widget_type = int(form.get("type", ""))
        page, x, y = int(form.get("page", "")), int(form.get("x", "")), int(form.get("y", ""))
    except (Participant.DoesNotExist, ValueError):
        raise SandboxError(400, "bad_request", "invalid widget parameters") from None
    if widget_type not in (0, 1, 2) or not 0 <= page < max(f.total_pages, 1) or x < 0 or y < 0:
        raise SandboxError(400, "bad_request", "invalid widget parameters")
    text = form.get("text", "")
    required = go_bool(form, "required", True)
    font_size = form.get("font_size", "")
    if font_size not in {"", *map(str, range(8, 15))}:
        raise SandboxError(400, "bad_request", "invalid font_size")
    if participant.order == 0 and not text and widget_type != 2:
        raise SandboxError(400, "bad_request", "a sender widget needs text")
    if participant.order > 0 and text and not (widget_type == 2 and not required):
        raise SandboxError(400, "bad_request", "a recipient widget cannot have text")
    Widget.objects.create(
        file=f,
        participant=participant,
        widget_type=widget_type,
        page=page,
        x=x,
        y=y,
        text=text,
        label=form.get("label", "")[:100],
        required=required,
        font_size=font_size,
    )
    return changed(doc)


# --- participants and reportees -------------------------------------------------------------


def _participant_fields(form: QueryDict, *, partial: bool) -> dict:
    fields = {}
    if not partial or "name" in form:
        fields["name"] = checked_text(form, "name", max_len=64, required=True)
    if not partial or "email" in form:
        fields["email"] = checked_email(form.get("email"))
    if "organization" in form:
        fields["organization"] = checked_text(form, "organization", max_len=64)
    if "access_code" in form:
        fields["access_code"] = checked_text(form, "access_code", max_len=64)
    if "language_code" in form:
        if form["language_code"] not in LANGUAGES:
            raise SandboxError(400, "bad_request", "invalid language_code")
        fields["language_code"] = form["language_code"]
    if go_bool(form, "callback", False) or go_bool(form, "advanced_authn_request", False):
        raise SandboxError(400, "bad_request", "forbidden to callback")
    return fields


def _email_taken(doc: Document, email: str, *, exclude_participant: str | None = None) -> bool:
    people = doc.participants.filter(email__iexact=email)
    if exclude_participant:
        people = people.exclude(pk=exclude_participant)
    return people.exists() or doc.reportees.filter(email__iexact=email).exists()


@wraps_doc
def add_participant(request: HttpRequest, doc: Document) -> JsonResponse:
    form = form_of(request)
    require_draft(doc)
    fields = _participant_fields(form, partial=False)
    with transaction.atomic():
        doc = Document.objects.select_for_update().select_related("account").get(pk=doc.pk)
        if doc.participants.filter(order__gt=0).count() >= MAX_RECIPIENTS:
            raise SandboxError(409, "conflict", "128 recipients already on the document")
        if _email_taken(doc, fields["email"]):
            raise SandboxError(400, "bad_request", "email already on the document")
        last = doc.participants.aggregate(n=Max("order"))["n"] or 0
        Participant.objects.create(document=doc, order=last + 1, status=PStatus.DRAFT, **fields)
        engine.touch(doc)
        doc.save()
    return doc_response(doc)


@wraps_doc
def update_participant(request: HttpRequest, doc: Document, participant_id: str) -> JsonResponse:
    participant = doc.participants.get(pk=participant_id)
    form = form_of(request)
    require_draft(doc)
    if participant.order == 0:
        raise SandboxError(403, "forbidden", "the sender cannot be changed")
    fields = _participant_fields(form, partial=True)
    if "email" in fields and _email_taken(doc, fields["email"], exclude_participant=participant.pk):
        raise SandboxError(400, "bad_request", "email already on the document")
    for key, value in fields.items():
        setattr(participant, key, value)
    participant.save()
    return changed(doc)


@wraps_doc
def remove_participant(request: HttpRequest, doc: Document, participant_id: str) -> JsonResponse:
    participant = doc.participants.get(pk=participant_id)
    require_draft(doc)
    if participant.order == 0:
        raise SandboxError(403, "forbidden", "the sender cannot be removed")
    with transaction.atomic():
        order = participant.order
        participant.delete()
        for later in doc.participants.filter(order__gt=order).order_by("order"):
            later.order -= 1
            later.save(update_fields=["order"])
        engine.touch(doc)
        doc.save()
    return doc_response(doc)


def _reportee_fields(form: QueryDict, *, partial: bool) -> dict:
    fields = {}
    if not partial or "email" in form:
        fields["email"] = checked_email(form.get("email"))
    if not partial or "name" in form:
        fields["name"] = checked_text(form, "name", max_len=64, required=True)
    if "organization" in form:
        fields["organization"] = checked_text(form, "organization", max_len=64)
    return fields


@wraps_doc
def add_reportee(request: HttpRequest, doc: Document) -> JsonResponse:
    form = form_of(request)
    require_draft(doc)
    fields = _reportee_fields(form, partial=False)
    if _email_taken(doc, fields["email"]):
        raise SandboxError(400, "bad_request", "email already a participant or reportee")
    count = doc.reportees.count()
    Reportee.objects.create(document=doc, created=count + 1, **fields)
    return changed(doc)


@wraps_doc
def update_reportee(request: HttpRequest, doc: Document, reportee_id: str) -> JsonResponse:
    reportee = doc.reportees.get(pk=reportee_id)
    require_draft(doc)
    fields = _reportee_fields(form_of(request), partial=True)
    if "email" in fields and (
        doc.participants.filter(email__iexact=fields["email"]).exists()
        or doc.reportees.filter(Q(email__iexact=fields["email"]) & ~Q(pk=reportee.pk)).exists()
    ):
        raise SandboxError(400, "bad_request", "email already a participant or reportee")
    for key, value in fields.items():
        setattr(reportee, key, value)
    reportee.save()
    return changed(doc)


@wraps_doc
def remove_reportee(request: HttpRequest, doc: Document, reportee_id: str) -> JsonResponse:
    doc.reportees.get(pk=reportee_id)
    require_draft(doc)
    doc.reportees.filter(pk=reportee_id).delete()
    return changed(doc)
