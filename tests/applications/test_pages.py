"""The contractor's pages: file, fix, withdraw, talk; and every bad input refused cleanly."""

import io
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from applications import services
from applications.models import Application, Attachment
from core.models import AuditEvent, StoredFile
from tests.applications.helpers import VALID, file_via_pages, filed
from tests.factories import CaseFactory
from tests.pdfs import PNG_BYTES, make_encrypted_pdf, make_pdf


@pytest.fixture
def logged_in(client, contractor):
    client.force_login(contractor)
    return client


def new_url(case, kind="econtract"):
    return reverse("applications:new", args=[case.pk, kind])


def pdf_upload(data=None, name="工程表.pdf"):
    return SimpleUploadedFile(name, data if data is not None else make_pdf(), "application/pdf")


@pytest.mark.django_db
def test_new_econtract_is_prefilled_from_company_and_case(logged_in, case, company):
    page = logged_in.get(new_url(case)).content.decode()
    assert company.address in page and company.representative in page
    assert case.title in page and case.place in page
    assert "契約締結権限者 メールアドレス" in page


@pytest.mark.django_db
def test_submit_issues_a_receipt_number_shown_and_mailed(
    logged_in, case, contractor, department_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = file_via_pages(logged_in, new_url(case), VALID["econtract"])
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:done", args=[application.pk])
    assert application.status == "submitted" and application.receipt_number
    page = logged_in.get(response["Location"]).content.decode()
    assert application.receipt_number in page
    assert f"到達番号は{application.receipt_number}です。" in page
    to_company = [m for m in mail.outbox if m.to == [contractor.email]]
    assert application.receipt_number in to_company[0].subject
    assert any(m.to == [department_staff.email] for m in mail.outbox)


@pytest.mark.django_db
def test_bad_input_keeps_everything_as_a_draft(logged_in, case):
    data = {**VALID["econtract"], "signer_email": "not-an-email", "action": "submit"}
    response = logged_in.post(new_url(case), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "メールアドレスの形式が正しくありません。" in page
    assert "下書きとして保存しました" in page
    application = Application.objects.get()
    assert application.status == "draft" and application.receipt_number is None
    assert application.data["signer_email"] == "not-an-email"  # nothing typed is lost
    assert application.data["staff1_name"] == "佐藤 一郎"


@pytest.mark.django_db
def test_double_submit_makes_one_application_and_one_receipt_number(logged_in, case):
    data = {**VALID["econtract"], "action": "submit"}
    file_via_pages(logged_in, new_url(case), VALID["econtract"])
    second = logged_in.post(new_url(case), data, follow=True)
    assert Application.objects.count() == 1
    number = Application.objects.get().receipt_number
    assert "この様式の申請は既にあります" in second.content.decode()
    application = Application.objects.get()
    again = logged_in.post(reverse("applications:submit", args=[application.pk]), follow=True)
    assert "この申請は既に提出されています。" in again.content.decode()
    application.refresh_from_db()
    assert application.receipt_number == number and application.revision == 1


@pytest.mark.django_db
def test_submitted_application_is_read_only(logged_in, case, contractor):
    application = filed(case, contractor)
    edit = logged_in.get(reverse("applications:edit", args=[application.pk]), follow=True)
    assert "提出済みの申請は編集できません。" in edit.content.decode()
    logged_in.post(
        reverse("applications:edit", args=[application.pk]),
        {**VALID["econtract"], "signer_name": "改ざん", "action": "save"},
    )
    application.refresh_from_db()
    assert application.data["signer_name"] == "山田 太郎"
    with pytest.raises(services.ApplicationError) as exc_info:
        services.application_save(application=application, user=contractor, data={})
    assert exc_info.value.code == "not_editable"


@pytest.mark.django_db
def test_return_then_resubmit_keeps_history(
    logged_in, case, contractor, section_staff, django_capture_on_commit_callbacks
):
    application = filed(case, contractor)
    number = application.receipt_number
    with django_capture_on_commit_callbacks(execute=True):
        services.application_return(
            application=application, reviewer=section_staff, reason="メールアドレスの誤り"
        )
    returned_mail = mail.outbox[-1]
    assert "差戻し" in returned_mail.subject and "メールアドレスの誤り" in returned_mail.body
    page = logged_in.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "市から修正を依頼されています（差戻し）。" in page and "メールアドレスの誤り" in page
    fixed = {**VALID["econtract"], "signer_email": "new@ashikaga-test.example"}
    file_via_pages(logged_in, reverse("applications:edit", args=[application.pk]), fixed)
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.receipt_number == number and application.revision == 2
    revisions = list(application.revisions.order_by("number"))
    assert [r.data["signer_email"] for r in revisions] == [
        "yamada@ashikaga-test.example",
        "new@ashikaga-test.example",
    ]


@pytest.mark.django_db
def test_return_needs_a_reason(case, contractor, section_staff):
    application = filed(case, contractor)
    with pytest.raises(services.ApplicationError) as exc_info:
        services.application_return(application=application, reviewer=section_staff, reason=" ")
    assert exc_info.value.message == "差戻しの理由を入力してください。"
    application.refresh_from_db()
    assert application.status == "submitted"


@pytest.mark.django_db
def test_withdraw_before_acceptance_only(logged_in, case, contractor, section_staff):
    application = filed(case, contractor)
    url = reverse("applications:withdraw", args=[application.pk])
    asked = logged_in.post(url)  # without the confirmation: only the question
    assert "申請を取り下げますか" in asked.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"
    logged_in.post(url, {"confirmed": "yes"})
    application.refresh_from_db()
    assert application.status == "withdrawn"
    second = filed(case, contractor)  # a withdrawn one no longer blocks a new filing
    services.application_accept(application=second, reviewer=section_staff)
    response = logged_in.post(
        reverse("applications:withdraw", args=[second.pk]), {"confirmed": "yes"}, follow=True
    )
    assert "受理された申請は取り下げられません。" in response.content.decode()
    second.refresh_from_db()
    assert second.status == "accepted"


@pytest.mark.django_db
def test_withdrawing_twice_says_it_is_already_withdrawn(
    logged_in, case, contractor, django_capture_on_commit_callbacks
):
    """Two tabs, 取り下げる pressed in both: the second is told the filing is already withdrawn
    (not that it was accepted), and nothing happens twice."""
    application = filed(case, contractor)
    url = reverse("applications:withdraw", args=[application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post(url, {"confirmed": "yes"})
    application.refresh_from_db()
    withdrawn_at, sent = application.withdrawn_at, len(mail.outbox)
    assert application.status == "withdrawn"
    for second_tab in (
        logged_in.get(url, follow=True),
        logged_in.post(url, {"confirmed": "yes"}, follow=True),
    ):
        page = second_tab.content.decode()
        assert "この申請はすでに取り下げられています。" in page
        assert "受理された" not in page
    application.refresh_from_db()
    assert application.status == "withdrawn" and application.withdrawn_at == withdrawn_at
    assert AuditEvent.objects.filter(action="application.withdrawn").count() == 1
    assert len(mail.outbox) == sent


@pytest.mark.django_db
def test_withdraw_service_names_the_state_it_found(case, contractor, section_staff):
    """The service's own refusal (what the view shows) matches the state it reads under lock."""
    application = filed(case, contractor)
    stale = Application.objects.get(pk=application.pk)  # a tab opened before the first 取下げ
    services.application_withdraw(application=application, user=contractor)
    with pytest.raises(services.ApplicationError) as withdrawn:
        services.application_withdraw(application=stale, user=contractor)
    assert withdrawn.value.code == "not_withdrawable"
    assert withdrawn.value.message == "この申請はすでに取り下げられています。"
    accepted = filed(case, contractor)
    services.application_accept(application=accepted, reviewer=section_staff)
    with pytest.raises(services.ApplicationError) as refused:
        services.application_withdraw(application=accepted, user=contractor)
    assert refused.value.message == "受理された申請は取り下げられません。"


@pytest.mark.django_db
def test_attachment_only_kind_needs_its_pdf(logged_in, case):
    url = new_url(case, "schedule")
    response = logged_in.post(url, {"action": "submit", "purpose": "schedule"}, follow=True)
    assert "工程表のPDFを添付してください。" in response.content.decode()
    application = Application.objects.get()
    assert application.status == "draft"
    edit = reverse("applications:edit", args=[application.pk])
    file_via_pages(logged_in, edit, {"purpose": "schedule", "upload": pdf_upload()})
    application.refresh_from_db()
    assert application.status == "submitted"
    attachment = application.attachments.get()
    download = logged_in.get(
        reverse("applications:attachment", args=[application.pk, attachment.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (PNG_BYTES, "PDFファイルではありません。"),
        (make_encrypted_pdf(), "パスワードで保護された（暗号化された）PDF"),
        (b"", "ファイルが空です"),
    ],
    ids=["png", "encrypted", "empty"],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(
    logged_in, case, settings, data, message
):
    url = new_url(case, "schedule")
    response = logged_in.post(
        url,
        {
            "action": "save",
            "purpose": "schedule",
            "note": "残す備考",
            "upload": pdf_upload(data, "x.pdf"),
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Attachment.objects.count() == 0 and StoredFile.objects.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    assert Application.objects.get().data["note"] == "残す備考"  # the form was kept


@pytest.mark.django_db
def test_oversized_attachment(logged_in, case, settings):
    settings.UPLOAD_MAX_BYTES = 2000
    response = logged_in.post(
        new_url(case, "schedule"),
        {"action": "save", "purpose": "schedule", "upload": pdf_upload(make_pdf(pages=5))},
    )
    assert "ファイルサイズが上限" in response.content.decode()
    assert StoredFile.objects.count() == 0


@pytest.mark.django_db
def test_twenty_first_attachment_is_refused(case, contractor):
    application = filed(case, contractor, "schedule", submit=False)
    data = make_pdf()
    for i in range(20):
        services.attachment_add(
            application=application,
            user=contractor,
            upload=pdf_upload(data, f"{i}.pdf"),
            purpose="other",
        )
    stored = StoredFile.objects.count()
    with pytest.raises(services.ApplicationError) as exc_info:
        services.attachment_add(
            application=application, user=contractor, upload=pdf_upload(data), purpose="other"
        )
    assert exc_info.value.message == "添付ファイルは1件の申請につき20件までです。"
    assert application.attachments.count() == 20 and StoredFile.objects.count() == stored


@pytest.mark.django_db
def test_another_companys_application_is_404_everywhere(client, other_contractor, case, contractor):
    application = filed(case, contractor, "schedule", with_pdf="schedule")
    attachment = application.attachments.get()
    client.force_login(other_contractor)
    for name, args, method in [
        ("applications:detail", [application.pk], "get"),
        ("applications:edit", [application.pk], "get"),
        ("applications:pdf", [application.pk], "get"),
        ("applications:attachment", [application.pk, attachment.pk], "get"),
        ("applications:withdraw", [application.pk], "post"),
        ("applications:withdraw", [application.pk], "get"),
        ("applications:confirm", [application.pk], "get"),
        ("applications:done", [application.pk], "get"),
        ("applications:receipt", [application.pk], "get"),
        ("applications:submit", [application.pk], "post"),
        ("applications:message", [application.pk], "post"),
        ("applications:attachment_delete", [application.pk, attachment.pk], "post"),
    ]:
        response = getattr(client, method)(reverse(name, args=args))
        assert response.status_code == 404, name
    assert client.get(new_url(case)).status_code == 404  # not their case either
    application.refresh_from_db()
    assert application.status == "submitted"


@pytest.mark.django_db
def test_missing_csrf_token_is_403(contractor, case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(contractor)
    response = client.post(new_url(case), {**VALID["econtract"], "action": "submit"})
    assert response.status_code == 403
    assert Application.objects.count() == 0


@pytest.mark.django_db
def test_messages_notify_the_other_side(
    logged_in, case, contractor, department_staff, django_capture_on_commit_callbacks
):
    application = filed(case, contractor)
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post(
            reverse("applications:message", args=[application.pk]), {"body": "工期について質問です"}
        )
    assert mail.outbox[-1].to == [department_staff.email] or any(
        m.to == [department_staff.email] and "工期について質問です" in m.body for m in mail.outbox
    )
    empty = logged_in.post(
        reverse("applications:message", args=[application.pk]), {"body": ""}, follow=True
    )
    assert "メッセージを入力してください。" in empty.content.decode()
    assert application.messages.count() == 1


@pytest.mark.django_db
def test_printable_pdf(logged_in, case, contractor):
    application = filed(case, contractor)
    response = logged_in.get(reverse("applications:pdf", args=[application.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s", "", "".join(page.extract_text() for page in reader.pages))
    for expected in (
        "別記様式第2号",
        "足利市長",
        "申請日令和7年11月25日",
        "電子契約利用申出書",
        "契約締結権限者",
        "yamada@ashikaga-test.example",
        application.receipt_number,
    ):
        assert expected.replace(" ", "") in text, expected
    assert (
        text.index("(1)工事名") < text.index("契約締結権限者氏名") < text.index("契約担当者1氏名")
    )


@pytest.mark.django_db
def test_case_page_checklist_and_query_count(logged_in, case, contractor):
    filed(case, contractor)
    logged_in.get(reverse("case_detail", args=[case.pk]))  # warm the session cache
    with CaptureQueriesContext(connection) as few:
        page = logged_in.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "電子契約利用申出書" in page and "提出済" in page and "未提出" in page
    for kind in ("site_agent", "midterm_choice", "schedule"):
        filed(case, contractor, kind, submit=False)
    for _ in range(5):
        services.application_withdraw(
            application=filed(case, contractor, "advance_payment"), user=contractor
        )
    with CaptureQueriesContext(connection) as many:
        logged_in.get(reverse("case_detail", args=[case.pk]))
    assert len(many) == len(few) <= 10, [q["sql"][:80] for q in many.captured_queries]


@pytest.mark.django_db
def test_other_categories_offer_only_the_econtract_form(logged_in, company):
    goods = CaseFactory(awarded_company=company, category="goods")
    page = logged_in.get(reverse("case_detail", args=[goods.pk])).content.decode()
    assert "電子契約利用申出書" in page and "工程表" not in page
    assert logged_in.get(new_url(goods, "schedule")).status_code == 404
