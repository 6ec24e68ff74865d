"""Issue 23 item 13: a 再提出 with a new 工程表 replaces the filed one (the old one is no longer
attached nor served as current, the revision history keeps it), and the page says what the mail
says: 「再提出を受け付けました」."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from applications.models import Application
from core.models import AuditEvent, StoredFile
from tests.applications.helpers import file_via_pages, filed
from tests.pdfs import make_pdf
from tests.surety.notices import notice_pdf, standard

pytestmark = pytest.mark.django_db


def pdf(name: str, text: str = "工程表") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_pdf(text=text), content_type="application/pdf")


def attach(application: Application, user, name: str, purpose: str = "schedule", **kwargs):
    return services.attachment_add(
        application=application,
        user=user,
        upload=kwargs.pop("upload", None) or pdf(name, text=name),
        purpose=purpose,
    )


def returned(application: Application, reviewer) -> Application:
    return services.application_return(
        application=application, reviewer=reviewer, reason="工程表の工期末が契約と違います。"
    )


def names(application: Application) -> list[str]:
    return [a.file.original_name for a in application.attachments.select_related("file")]


@pytest.fixture
def schedule_returned(case, contractor, section_staff):
    """A 工程表 filed with 「工程表.pdf」 and returned by staff."""
    return returned(filed(case, contractor, kind="schedule", with_pdf="schedule"), section_staff)


def test_a_new_schedule_replaces_the_filed_one_on_resubmission(
    client, contractor, schedule_returned
):
    application = schedule_returned
    old = application.attachments.get()
    new = attach(application, contractor, "工程表（修正）.pdf")
    assert names(application) == ["工程表（修正）.pdf"]

    # the old one is no longer served as an attachment of the filing; the new one is
    client.force_login(contractor)
    url = "applications:attachment"
    assert client.get(reverse(url, args=[application.pk, old.pk])).status_code == 404
    assert client.get(reverse(url, args=[application.pk, new.pk])).status_code == 200
    edit = client.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert "工程表（修正）.pdf" in edit and ">工程表.pdf<" not in edit

    event = AuditEvent.objects.get(action="application.attachment_replaced")
    assert event.target_id == str(application.pk)
    assert event.payload["old_name"] == "工程表.pdf"
    assert event.payload["name"] == "工程表（修正）.pdf"
    assert event.payload["purpose"] == "schedule"
    # the filed PDF stays stored: the first revision still names it
    assert StoredFile.objects.filter(pk=old.file_id).exists()
    first = application.revisions.get(number=1)
    assert [a["name"] for a in first.attachments] == ["工程表.pdf"]

    application = services.application_submit(application=application, user=contractor)
    second = application.revisions.get(number=2)
    assert [a["name"] for a in second.attachments] == ["工程表（修正）.pdf"]


def test_the_contractor_replaces_it_through_the_pages(client, contractor, schedule_returned):
    application = schedule_returned
    client.force_login(contractor)
    url = reverse("applications:edit", args=[application.pk])
    page = client.get(url).content.decode()
    assert "前回提出したもの" in page  # the page says a new PDF replaces the filed one
    client.post(
        url, {"note": "", "action": "save", "purpose": "schedule", "upload": pdf("新工程表.pdf")}
    )
    assert names(application) == ["新工程表.pdf"]
    response = file_via_pages(client, url, {"note": "", "purpose": "schedule"})
    assert response.status_code == 302, response.content.decode()[:2000]
    application.refresh_from_db()
    assert application.status == "submitted" and application.revision == 2
    filed_again = application.revisions.get(number=2)
    assert [a["name"] for a in filed_again.attachments] == ["新工程表.pdf"]


def test_other_files_are_added_not_replaced(contractor, schedule_returned):
    attach(schedule_returned, contractor, "補足資料.pdf", purpose="other")
    assert names(schedule_returned) == ["工程表.pdf", "補足資料.pdf"]
    assert not AuditEvent.objects.filter(action="application.attachment_replaced").exists()


def test_a_draft_adds_rather_than_replaces(case, contractor):
    draft = filed(case, contractor, kind="schedule", with_pdf="schedule", submit=False)
    attach(draft, contractor, "工程表2.pdf")
    assert names(draft) == ["工程表.pdf", "工程表2.pdf"]


def test_a_filing_with_several_schedules_keeps_them(case, contractor, section_staff):
    """E.g. a 兼任届 with the 工程表 of each 工事: which one is outdated is the contractor's call
    (they remove it); nothing is replaced behind their back."""
    application = filed(case, contractor, kind="schedule", with_pdf="schedule", submit=False)
    attach(application, contractor, "他工事の工程表.pdf")
    application = services.application_submit(application=application, user=contractor)
    application = returned(application, section_staff)
    attach(application, contractor, "工程表（修正）.pdf")
    assert names(application) == ["工程表.pdf", "他工事の工程表.pdf", "工程表（修正）.pdf"]


def test_a_second_surety_notice_is_still_refused_after_a_return(case, contractor, section_staff):
    """The existing rule (surety/hooks.py): one 認証キーのお知らせ per filing, also on 再提出."""
    application = services.application_create(
        case=case, company=contractor.company, kind="surety_notice", user=contractor, data={}
    )
    upload = SimpleUploadedFile("お知らせ.pdf", notice_pdf(standard()), "application/pdf")
    attach(application, contractor, "お知らせ.pdf", purpose="surety_notice", upload=upload)
    Application.objects.filter(pk=application.pk).update(status="returned")
    application.refresh_from_db()
    again = SimpleUploadedFile("お知らせ2.pdf", notice_pdf(standard()), "application/pdf")
    with pytest.raises(services.ApplicationError) as refused:
        attach(application, contractor, "お知らせ2.pdf", purpose="surety_notice", upload=again)
    assert refused.value.code == "one_notice"
    assert names(application) == ["お知らせ.pdf"]


@pytest.mark.parametrize("resubmission", [False, True])
def test_the_page_says_what_the_mail_says(
    client, case, contractor, section_staff, django_capture_on_commit_callbacks, resubmission
):
    application = filed(case, contractor, kind="schedule", with_pdf="schedule", submit=False)
    if resubmission:
        application = returned(
            services.application_submit(application=application, user=contractor), section_staff
        )
    client.force_login(contractor)
    mail.outbox.clear()
    digest = services.application_digest(application)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("applications:submit", args=[application.pk]), {"digest": digest}, follow=True
        )
    application.refresh_from_db()
    words = "再提出を受け付けました" if resubmission else "提出を受け付けました"
    text = page.content.decode()
    assert f"{words}。到達番号は" in text  # the message
    assert f"工程表の{words}。" in text  # the 受付完了 page
    received = [m for m in mail.outbox if m.to == [contractor.email]]
    assert len(received) == 1
    assert f"工程表の{words}（到達番号 {application.receipt_number}）" in received[0].subject
    assert f"次の申請の{words}。" in received[0].body
    if not resubmission:
        assert "再提出を受け付けました" not in text + received[0].subject + received[0].body
