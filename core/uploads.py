"""Validation and private storage of uploaded PDFs, used by every upload in the portal.

Each rejection raises ``django.core.exceptions.ValidationError`` with its own Japanese message and
code, before anything is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from core.models import StoredFile

logger = logging.getLogger(__name__)

# Where %%EOF may sit: writers append newlines or a little junk after it.
EOF_WINDOW = 1024


@dataclass(frozen=True)
class ValidatedPDF:
    data: bytes
    name: str
    size: int
    sha256: str
    page_count: int


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g}MB"


def read_upload(upload, *, max_bytes: int) -> bytes:
    """Read an uploaded file, refusing to read more than ``max_bytes`` (+1 to detect excess)."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            "ファイルサイズが上限（%(limit)s）を超えています。",
            code="too_large",
            params={"limit": _mb(max_bytes)},
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            "ファイルサイズが上限（%(limit)s）を超えています。",
            code="too_large",
            params={"limit": _mb(max_bytes)},
        )
    return data


def validate_pdf_bytes(
    data: bytes, *, name: str = "", max_bytes: int | None = None, max_pages: int | None = None
) -> ValidatedPDF:
    """Check that ``data`` is a readable, unencrypted PDF within the size and page limits."""
    max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    max_pages = settings.UPLOAD_MAX_PAGES if max_pages is None else max_pages
    if not data:
        raise ValidationError("ファイルが空です（0バイト）。", code="empty")
    if len(data) > max_bytes:
        raise ValidationError(
            "ファイルサイズが上限（%(limit)s）を超えています。",
            code="too_large",
            params={"limit": _mb(max_bytes)},
        )
    if not data.startswith(b"%PDF-"):
        raise ValidationError(
            "PDFファイルではありません。PDF形式のファイルを選択してください。", code="not_pdf"
        )
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise ValidationError(
            "PDFファイルが途中で切れているか、壊れています（ファイルの終端がありません）。",
            code="truncated",
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        page_count = None if encrypted else len(reader.pages)
        active = (not encrypted) and _has_active_content(reader)
    except RecursionError:
        raise ValidationError(
            "PDFファイルの構造が複雑すぎるため読み取れません。", code="unreadable"
        ) from None
    except Exception as exc:  # pypdf raises many kinds of errors on broken files
        logger.info("PDF rejected as unreadable: %s", exc.__class__.__name__)
        raise ValidationError(
            "PDFファイルを読み取れません。ファイルが壊れている可能性があります。",
            code="unreadable",
        ) from None
    if active:
        raise ValidationError(
            "JavaScriptや埋め込みファイルを含むPDFは受け付けられません。"
            "印刷用のPDFとして保存し直してから添付してください。",
            code="active_content",
        )
    if encrypted:
        raise ValidationError(
            "パスワードで保護された（暗号化された）PDFは受け付けられません。"
            "保護を解除してから添付してください。",
            code="encrypted",
        )
    if page_count == 0:
        raise ValidationError("ページのないPDFは受け付けられません。", code="no_pages")
    if page_count > max_pages:
        raise ValidationError(
            "ページ数が上限（%(limit)dページ）を超えています（%(pages)dページ）。",
            code="too_many_pages",
            params={"limit": max_pages, "pages": page_count},
        )
    return ValidatedPDF(
        data=data,
        name=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        page_count=page_count,
    )


ACTIVE_KEYS = ("/JavaScript", "/JS", "/EmbeddedFiles", "/Launch", "/OpenAction", "/AA")


def _has_active_content(reader: PdfReader) -> bool:
    """Scripts, launch actions or embedded files anywhere in the document catalogue or pages."""
    try:
        root = reader.trailer["/Root"]
        names = root.get("/Names") or {}
        if any(key in names for key in ("/JavaScript", "/EmbeddedFiles")):
            return True
        if any(key in root for key in ("/OpenAction", "/AA")):
            action = root.get("/OpenAction")
            if "/AA" in root or _is_script(action):
                return True
        for page in reader.pages:
            if "/AA" in page:
                return True
            for annot in page.get("/Annots") or []:
                annot = annot.get_object()
                if annot.get("/Subtype") == "/FileAttachment" or _is_script(annot.get("/A")):
                    return True
    except RecursionError:
        raise
    except Exception:  # a structure pypdf cannot walk: let the reader's own checks decide
        return False
    return False


def _is_script(action) -> bool:
    if action is None:
        return False
    with contextlib.suppress(AttributeError):
        action = action.get_object()
    if not hasattr(action, "get"):
        return False
    return action.get("/S") in ("/JavaScript", "/Launch", "/ImportData")


def validate_pdf_upload(upload) -> ValidatedPDF:
    """Validate a Django ``UploadedFile`` (or any file object with ``name``)."""
    data = read_upload(upload, max_bytes=settings.UPLOAD_MAX_BYTES)
    return validate_pdf_bytes(data, name=original_name(getattr(upload, "name", "") or ""))


def original_name(name: str) -> str:
    """The user's file name without any path, limited in length, never empty."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().replace("\x00", "")
    return (base or "document.pdf")[:255]


def store_pdf(
    pdf: ValidatedPDF,
    *,
    kind: str,
    company=None,
    uploaded_by=None,
) -> StoredFile:
    """Write a validated PDF to private storage as ``<kind>/YYYY/MM/<uuid>.pdf`` and record it."""
    stored = StoredFile(
        kind=kind,
        original_name=original_name(pdf.name),
        size=pdf.size,
        sha256=pdf.sha256,
        page_count=pdf.page_count,
        company=company,
        uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None,
        created_at=timezone.now(),
    )
    stored.file.save("upload.pdf", ContentFile(pdf.data), save=False)
    try:
        with transaction.atomic():
            stored.save()
    except Exception:
        stored.file.storage.delete(stored.file.name)
        raise
    return stored


# --- a chosen PDF kept across a form's validation error ----------------------------------------

PENDING_SESSION_KEY = "pending_uploads"
PENDING_MAX = 5  # per session; older ones are dropped


def stash_pdf(request, pdf: ValidatedPDF) -> str:
    """Keep a validated PDF for this user's session (private storage, ``pending/``) so that a form
    shown again after an error does not make them choose the file again. Returns its token."""
    import secrets

    from django.core.files.storage import default_storage

    token = secrets.token_urlsafe(16)
    path = default_storage.save(f"pending/{token}.pdf", ContentFile(pdf.data))
    pending = dict(request.session.get(PENDING_SESSION_KEY, {}))
    pending[token] = {"path": path, "name": pdf.name}
    while len(pending) > PENDING_MAX:
        oldest = pending.pop(next(iter(pending)))
        default_storage.delete(oldest["path"])
    request.session[PENDING_SESSION_KEY] = pending
    return token


def stashed_name(request, token: str) -> str | None:
    entry = request.session.get(PENDING_SESSION_KEY, {}).get(token or "")
    return entry["name"] if entry else None


def stashed_pdf(request, token: str):
    """The stashed PDF as an uploaded file, or None for a token not of this session."""
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    entry = request.session.get(PENDING_SESSION_KEY, {}).get(token or "")
    if entry is None:
        return None
    with default_storage.open(entry["path"], "rb") as handle:
        return SimpleUploadedFile(entry["name"], handle.read(), "application/pdf")


def discard_stashed_pdf(request, token: str) -> None:
    """Forget a stashed PDF once it has been stored for good."""
    from django.core.files.storage import default_storage

    pending = dict(request.session.get(PENDING_SESSION_KEY, {}))
    entry = pending.pop(token or "", None)
    if entry is not None:
        default_storage.delete(entry["path"])
        request.session[PENDING_SESSION_KEY] = pending
