"""The files of a document and their widgets."""

from __future__ import annotations

import io

from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from pypdf import PdfReader

from esign_sandbox.api import limits
from esign_sandbox.api.common import (
    changed,
    error,
    form_of,
    go_bool,
    require_draft,
    wraps_doc,
)
from esign_sandbox.engine import SandboxError
from esign_sandbox.models import (
    DocStatus,
    Document,
    File,
    Participant,
    Widget,
)


@wraps_doc
def add_file(request: HttpRequest, doc: Document) -> JsonResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > limits.MAX_REQUEST_BYTES:
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
    if doc.files.count() >= limits.MAX_FILES:
        raise SandboxError(400, "bad_request", "too many files")
    total = sum(doc.files.values_list("size", flat=True))
    if total + len(data) > limits.MAX_DOCUMENT_BYTES:
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
    if doc.status == DocStatus.CONCLUDED and doc.long_term_at is None:
        # CloudSign's long-term signature, once its delay has passed (if the task has not yet)
        from esign_sandbox import long_term

        if long_term.add_long_term(doc.id):
            f.refresh_from_db()
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
