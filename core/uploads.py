"""Validation and private storage of uploaded PDFs, used by every upload in the portal.

Each rejection raises ``django.core.exceptions.ValidationError`` with its own Japanese message and
code, before anything is written.
"""

from __future__ import annotations

import hashlib
import io
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import ProtectedError, Sum
from django.utils import timezone
from pypdf import PdfReader, apply_configuration

from core.models import StoredFile
from core.pdfscan import ScanRefusal, check_repairs, repairs_recorded, scan
from core.sandboxed import BudgetExceeded, run_with_budget

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Where %%EOF may sit: writers append newlines or a little junk after it.
EOF_WINDOW = 1024


class StorageUnavailable(Exception):
    """The file storage (a disk, an S3-compatible bucket) cannot be reached for a moment: a
    background job retries later; nothing was recorded."""


def is_storage_outage(exc: BaseException) -> bool:
    """A fault of the storage's transport, not of the file: a refused or dropped connection, a
    timeout, an unreadable disk, or an S3 5xx (``SlowDown``, ``ServiceUnavailable``)."""
    if isinstance(exc, OSError):
        return True
    try:
        from botocore.exceptions import ClientError, ConnectionError, HTTPClientError
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return False
    if isinstance(exc, ConnectionError | HTTPClientError):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500
    return False


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
        encrypted, page_count = run_with_budget(
            inspect_pdf,
            data,
            max_pages=max_pages,
            max_objects=settings.PDF_SCAN_MAX_OBJECTS,
            seconds=settings.PDF_PARSE_SECONDS,
            memory=pdf_memory_budget(len(data)),
        )
    except ScanRefusal as refusal:
        logger.info("PDF refused by the scan: %s", refusal.reason)
        if refusal.code == "active_content":
            raise ValidationError(
                "JavaScriptや埋め込みファイルなど、動作する内容を含むPDFは受け付けられません。"
                "印刷用のPDFとして保存し直してから添付してください。",
                code="active_content",
            ) from None
        if refusal.code == "too_complex":
            raise ValidationError(
                "PDFファイルの構造が複雑すぎるため読み取れません。", code="unreadable"
            ) from None
        raise ValidationError(
            "PDFファイルの構造を確認できないため受け付けられません（壊れた参照や相互参照表）。"
            "印刷用のPDFとして保存し直してから添付してください。",
            code="unwalkable",
        ) from None
    except TooManyPages as exc:
        raise ValidationError(
            "ページ数が上限（%(limit)dページ）を超えています（%(pages)dページ）。",
            code="too_many_pages",
            params={"limit": max_pages, "pages": exc.pages},
        ) from None
    except (RecursionError, BudgetExceeded) as exc:
        logger.info("PDF refused as too complex: %s", exc)
        raise ValidationError(
            "PDFファイルの構造が複雑すぎるため読み取れません。", code="unreadable"
        ) from None
    except Exception as exc:  # pypdf raises many kinds of errors on broken files
        logger.info("PDF rejected as unreadable: %s", exc.__class__.__name__)
        raise ValidationError(
            "PDFファイルを読み取れません。ファイルが壊れている可能性があります。",
            code="unreadable",
        ) from None
    if encrypted == "restricted":
        # Kept refused: the city prints, copies and keeps these files for ten years.
        raise ValidationError(
            "このPDFには印刷・編集などの制限（権限パスワード）が設定されているため、"
            "受け付けられません。制限を付けずに保存し直したPDFを添付してください。",
            code="restricted",
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


class TooManyPages(Exception):
    def __init__(self, pages: int):
        super().__init__(pages)
        self.pages = pages


def pdf_memory_budget(size: int) -> int:
    """Memory a parse of ``size`` bytes may take above the process: 3× the file + a margin."""
    return 3 * size + settings.PDF_PARSE_MEMORY_MB * 1024 * 1024


def pypdf_limits(max_pages: int):
    """pypdf's own limits, tightened: decompression, page tree, arrays and dictionaries."""
    limit = settings.PDF_MAX_DECOMPRESSED_BYTES
    return apply_configuration(
        zlib_maximum_output_length=limit,
        lzw_maximum_output_length=limit,
        run_length_maximum_output_length=limit,
        brotli_maximum_output_length=limit,
        jbig2_maximum_output_length=limit,
        array_based_stream_maximum_output_length=limit,
        maximum_declared_stream_length=limit,
        stream_decoding_work_maximum_length=4 * limit,
        page_tree_maximum_entries=max_pages + 1000,
        page_tree_maximum_page_entries=4 * (max_pages + 1000),
    )


def read_untrusted_pdf(fn: Callable[[bytes], T], data: bytes, *, max_pages: int | None = None) -> T:
    """``fn(data)`` — any reader of an untrusted PDF (the 認証キーのお知らせ reader) — in a child
    process within the parse budget and pypdf's tightened limits; BudgetExceeded when it takes
    longer than PDF_PARSE_SECONDS or more memory than ``pdf_memory_budget``."""
    return run_with_budget(
        _within_limits,
        fn,
        data,
        settings.UPLOAD_MAX_PAGES if max_pages is None else max_pages,
        seconds=settings.PDF_PARSE_SECONDS,
        memory=pdf_memory_budget(len(data)),
    )


def _within_limits(fn: Callable[[bytes], T], data: bytes, max_pages: int) -> T:
    with pypdf_limits(max_pages):
        return fn(data)


def inspect_pdf(data: bytes, *, max_pages: int, max_objects: int) -> tuple[str, int | None]:
    """(encryption, page count) of an untrusted PDF — encryption ``""`` (none), ``"restricted"``
    (opens without a password, with 印刷・編集 restrictions: a permissions password only) or
    ``"password"``; raises ScanRefusal for active content or a structure that cannot be walked,
    TooManyPages before any per-page work. Runs in the child process of ``run_with_budget``."""
    with pypdf_limits(max_pages), repairs_recorded() as repairs:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opens = bool(reader.decrypt(""))
            except Exception:  # an unknown security handler: as good as a password
                opens = False
            return ("restricted" if opens else "password"), None
        root = reader.trailer["/Root"].get_object()
        declared = root["/Pages"].get_object().get("/Count")
        if isinstance(declared, int) and declared > max_pages:
            raise TooManyPages(int(declared))  # the page tree's own count, before any page
        page_count = len(reader.pages)  # the page tree itself is bounded (pypdf_limits)
        if page_count > max_pages:
            raise TooManyPages(page_count)
        scan(reader, max_objects=max_objects)
        check_repairs(repairs)
    return False, page_count


def validate_pdf_upload(upload) -> ValidatedPDF:
    """Validate a Django ``UploadedFile`` (or any file object with ``name``)."""
    data = read_upload(upload, max_bytes=settings.UPLOAD_MAX_BYTES)
    return validate_pdf_bytes(data, name=original_name(getattr(upload, "name", "") or ""))


def original_name(name: str) -> str:
    """The user's file name without any path, limited in length, never empty."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    # no control or format characters: a right-to-left override makes 「cod.exe」 look like
    # 「exe.doc」, and NULs or line breaks have no place in a name
    base = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf")).strip()
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
    try:
        stored.file.save("upload.pdf", ContentFile(pdf.data), save=False)
    except Exception as exc:
        if is_storage_outage(exc):
            raise StorageUnavailable(f"storage unavailable: {exc}") from exc
        raise
    try:
        with transaction.atomic():
            stored.save()
    except Exception:
        stored.file.storage.delete(stored.file.name)
        raise
    return stored


#: the kinds of the copies stored from the e-contract service (see contracts.services.storing)
SIGNED_KIND_PREFIX = "signed-"


def check_company_quota(company, size: int) -> None:
    """Refuse a file that would take the company's uploads over COMPANY_STORAGE_QUOTA_MB.

    Every upload counts, whatever its kind (application attachments, contract PDFs, any kind
    added later); only the signed copies the e-contract service returns (``signed-*``) do not:
    they are the city's archive, not something the company chose to upload."""
    if company is None:
        return
    quota = settings.COMPANY_STORAGE_QUOTA_MB * 1024 * 1024
    used = (
        StoredFile.objects.filter(company=company)
        .exclude(kind__startswith=SIGNED_KIND_PREFIX)
        .aggregate(total=Sum("size"))["total"]
        or 0
    )
    if used + size > quota:
        raise ValidationError(
            "事業者ごとの保存容量の上限（%(limit)s）を超えるため添付できません"
            "（使用中 %(used)s）。不要になった下書きの添付ファイルを削除してください。",
            code="quota",
            params={"limit": _mb(quota), "used": _mb(used)},
        )


def discard_stored_file(stored: StoredFile) -> bool:
    """Delete a file no row refers to any more: the record now, the bytes once the transaction
    commits. False (and nothing deleted) when something still refers to it."""
    name, storage = stored.file.name, stored.file.storage
    try:
        with transaction.atomic():
            stored.delete()
    except ProtectedError:
        return False
    transaction.on_commit(lambda: storage.delete(name))
    return True


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
