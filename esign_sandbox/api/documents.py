"""The documents: list, create, read, update, send, delete, decline, certificate."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from esign_sandbox import engine, serialize
from esign_sandbox.api import limits
from esign_sandbox.api.common import (
    changed,
    checked_text,
    doc_response,
    form_of,
    go_bool,
    require_draft,
    wraps_doc,
)
from esign_sandbox.engine import SandboxError
from esign_sandbox.models import (
    Account,
    DocStatus,
    Document,
    Participant,
    PStatus,
)


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
    )[(page - 1) * limits.PAGE_SIZE : page * limits.PAGE_SIZE]
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
