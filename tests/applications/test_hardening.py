"""Messages are rate-limited, a removed draft attachment's file is deleted, each company has a
storage quota, and rate limits see the client behind the trusted proxy."""

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from applications.models import Application, Attachment, Message
from core.models import StoredFile
from tests.pdfs import make_pdf


@pytest.fixture
def draft(client, contractor, case):
    client.force_login(contractor)
    response = client.post(
        reverse("applications:new", args=[case.pk, "schedule"]),
        {
            "action": "save",
            "purpose": "schedule",
            "upload": SimpleUploadedFile("工程表.pdf", make_pdf(), "application/pdf"),
        },
    )
    assert response.status_code == 302
    return Application.objects.get(case=case, kind="schedule")


@pytest.mark.django_db(transaction=True)
def test_a_removed_draft_attachment_takes_its_file_with_it(client, draft):
    attachment = draft.attachments.get()
    stored = attachment.file
    name = stored.file.name
    assert default_storage.exists(name)
    response = client.post(
        reverse("applications:attachment_delete", args=[draft.pk, attachment.pk])
    )
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not StoredFile.objects.filter(pk=stored.pk).exists()
    assert not default_storage.exists(name)


@pytest.mark.django_db
def test_a_submitted_file_stays_in_the_history(draft, contractor, department_staff):
    attachment = draft.attachments.get()
    revision_file = attachment.file
    draft.revisions.create(
        number=1,
        data={},
        attachments=[{"purpose": "schedule", "file": str(revision_file.pk), "name": "工程表.pdf"}],
        submitted_by=contractor,
        submitted_at=draft.created_at,
    )
    services.attachment_remove(attachment=attachment, user=contractor)
    assert StoredFile.objects.filter(pk=revision_file.pk).exists()


@pytest.mark.django_db
def test_messages_are_rate_limited(client, draft, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "message": (3, 600)}
    mail.outbox.clear()
    url = reverse("applications:message", args=[draft.pk])
    answers = [
        client.post(url, {"body": f"工程表を差し替えます（{i}）"}).status_code for i in range(6)
    ]
    assert answers == [302, 302, 302, 429, 429, 429]
    assert Message.objects.filter(application=draft).count() == 3
    limited = client.post(url, {"body": "もう一度"})
    assert "アクセスが集中しています" in limited.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["application-schedule", "contract", "a-kind-added-later"])
def test_the_company_storage_quota(client, contractor, case, settings, kind):
    """Every upload of the company counts, whatever its kind."""
    settings.COMPANY_STORAGE_QUOTA_MB = 1
    StoredFile.objects.create(
        kind=kind,
        file=f"{kind}/2025/11/old.pdf",
        original_name="old.pdf",
        size=1024 * 1024 - 100,
        sha256="0" * 64,
        page_count=1,
        company=contractor.company,
        created_at=case.opened_on.isoformat() + "T00:00:00+09:00",
    )
    client.force_login(contractor)
    before = StoredFile.objects.count()
    response = client.post(
        reverse("applications:new", args=[case.pk, "schedule"]),
        {
            "action": "save",
            "purpose": "schedule",
            "upload": SimpleUploadedFile("工程表.pdf", make_pdf(), "application/pdf"),
        },
    )
    page = response.content.decode() if response.status_code == 200 else ""
    if response.status_code == 302:
        page = "".join(str(m) for m in response.wsgi_request._messages)
    assert "保存容量の上限（1MB）を超えるため添付できません" in page
    assert StoredFile.objects.count() == before
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_the_signed_copies_from_the_service_do_not_count(contractor, settings):
    from django.core.exceptions import ValidationError

    from core.uploads import check_company_quota

    settings.COMPANY_STORAGE_QUOTA_MB = 1
    for kind, name in (("signed-signed", "a.pdf"), ("contract", "b.pdf")):
        StoredFile.objects.create(
            kind=kind,
            file=f"{kind}/2025/11/{name}",
            original_name=name,
            size=600 * 1024,
            sha256="0" * 64,
            page_count=1,
            company=contractor.company,
            created_at="2025-11-25T00:00:00+09:00",
        )
    check_company_quota(contractor.company, 400 * 1024)  # 600 KB of uploads + 400 KB: fits
    with pytest.raises(ValidationError):
        check_company_quota(contractor.company, 500 * 1024)


@pytest.mark.django_db
def test_rate_limits_key_on_the_client_behind_the_proxy(client, contractor, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (2, 3600)}
    url = reverse("accounts:password_reset")

    def reset(address):
        return client.post(
            url, {"email": contractor.email}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address
        ).status_code

    assert [reset("203.0.113.1") for _ in range(3)] == [302, 302, 429]
    # another client behind the same nginx is not blocked by the first one
    assert reset("198.51.100.2") == 302
