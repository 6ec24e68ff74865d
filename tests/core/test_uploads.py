from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import StoredFile
from core.uploads import store_pdf, validate_pdf_upload
from tests.pdfs import PNG_BYTES, make_encrypted_pdf, make_pdf


def upload(data: bytes, name: str = "工程表.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def attempt(data: bytes, settings, **limits):
    """Validate then store, as every upload does; return the rejection."""
    for key, value in limits.items():
        setattr(settings, key, value)
    with pytest.raises(ValidationError) as exc_info:
        store_pdf(validate_pdf_upload(upload(data)), kind="test")
    return exc_info.value


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (b"", "empty", "ファイルが空です（0バイト）。"),
        (b"MZ\x90\x00" + b"\x00" * 100, "not_pdf", "PDFファイルではありません。"),
        (PNG_BYTES, "not_pdf", "PDFファイルではありません。"),
        (make_pdf()[:-200], "truncated", "PDFファイルが途中で切れているか、壊れています"),
        (b"%PDF-1.7\nthis is not a pdf body\n%%EOF\n", "unreadable", "PDFファイルを読み取れません"),
        (make_encrypted_pdf(), "encrypted", "パスワードで保護された（暗号化された）PDF"),
        (
            make_encrypted_pdf(user_password=""),
            "restricted",
            "印刷・編集などの制限（権限パスワード）",
        ),
    ],
    ids=["empty", "exe", "renamed-png", "truncated", "garbage", "encrypted", "restricted"],
)
def test_each_rejection_has_its_message_and_stores_nothing(settings, data, code, message):
    error = attempt(data, settings)
    assert error.code == code
    assert message in error.messages[0]
    assert StoredFile.objects.count() == 0
    assert files_under(Path(settings.MEDIA_ROOT)) == []


@pytest.mark.django_db
def test_over_the_size_limit(settings):
    data = make_pdf()
    error = attempt(data, settings, UPLOAD_MAX_BYTES=len(data) - 1)
    assert error.code == "too_large"
    assert "ファイルサイズが上限" in error.messages[0]
    assert StoredFile.objects.count() == 0
    assert files_under(Path(settings.MEDIA_ROOT)) == []


@pytest.mark.django_db
def test_real_size_limit_is_20mb(settings):
    big = b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024) + b"\n%%EOF\n"
    error = attempt(big, settings)
    assert error.code == "too_large"
    assert "20MB" in error.messages[0]


@pytest.mark.django_db
def test_over_the_page_limit(settings):
    error = attempt(make_pdf(pages=4), settings, UPLOAD_MAX_PAGES=3)
    assert error.code == "too_many_pages"
    assert error.messages[0] == "ページ数が上限（3ページ）を超えています（4ページ）。"
    assert StoredFile.objects.count() == 0


@pytest.mark.django_db
def test_valid_pdf_is_stored_under_a_uuid_path_with_its_facts(settings, company):
    data = make_pdf(pages=3)
    stored = store_pdf(
        validate_pdf_upload(upload(data, name="C:\\fakepath\\工程表（最新版）.pdf")),
        kind="schedule",
        company=company,
    )
    stored.refresh_from_db()
    assert stored.original_name == "工程表（最新版）.pdf"
    assert stored.page_count == 3
    assert stored.size == len(data)
    import hashlib

    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    created = stored.created_at
    assert stored.file.name == f"schedule/{created:%Y}/{created:%m}/{stored.id}.pdf"
    assert (Path(settings.MEDIA_ROOT) / stored.file.name).read_bytes() == data


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fault",
    [
        "endpoint",
        "closed",
        "slowdown",
        "disk",
    ],
)
def test_a_storage_outage_is_reported_as_such_and_records_nothing(monkeypatch, fault):
    """S3 refusing connections, dropping one, answering 503 SlowDown, or a disk error: the
    caller gets StorageUnavailable (its jobs retry later), and no row points at a missing file."""
    from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
    from django.core.files.storage import FileSystemStorage

    from core.uploads import StorageUnavailable

    errors = {
        "endpoint": EndpointConnectionError(endpoint_url="http://s3.invalid/bucket/x.pdf"),
        "closed": ConnectionClosedError(endpoint_url="http://s3.invalid/bucket/x.pdf"),
        "slowdown": ClientError(
            {"Error": {"Code": "SlowDown"}, "ResponseMetadata": {"HTTPStatusCode": 503}},
            "PutObject",
        ),
        "disk": OSError(5, "Input/output error"),
    }

    def broken(self, name, content):
        raise errors[fault]

    monkeypatch.setattr(FileSystemStorage, "_save", broken)
    with pytest.raises(StorageUnavailable):
        store_pdf(validate_pdf_upload(upload(make_pdf())), kind="test")
    assert StoredFile.objects.count() == 0


@pytest.mark.django_db
def test_a_refusal_by_the_storage_is_not_an_outage(monkeypatch):
    """A 403 (wrong credentials or policy) is not retried as if it would pass by itself."""
    from botocore.exceptions import ClientError
    from django.core.files.storage import FileSystemStorage

    from core.uploads import StorageUnavailable

    def refused(self, name, content):
        raise ClientError(
            {"Error": {"Code": "AccessDenied"}, "ResponseMetadata": {"HTTPStatusCode": 403}},
            "PutObject",
        )

    monkeypatch.setattr(FileSystemStorage, "_save", refused)
    with pytest.raises(ClientError) as exc_info:
        store_pdf(validate_pdf_upload(upload(make_pdf())), kind="test")
    assert not isinstance(exc_info.value, StorageUnavailable)
    assert StoredFile.objects.count() == 0
