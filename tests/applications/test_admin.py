"""Staff review in the admin: scope, 受理/差戻し, messages, CSV, query counts."""

import csv
import datetime as dt
import html
import io
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from core.models import AuditEvent
from core.wareki import format_wareki
from tests.applications.helpers import filed
from tests.factories import CaseFactory

CHANGELIST = "admin:applications_application_changelist"


@pytest.fixture
def submitted(case, contractor):
    return filed(case, contractor)


@pytest.mark.django_db
def test_change_page_shows_the_form_with_labels(client, section_staff, submitted):
    client.force_login(section_staff)
    page = client.get(reverse("admin:applications_application_change", args=[submitted.pk]))
    text = page.content.decode()
    assert "契約締結権限者 メールアドレス" in text and "yamada@ashikaga-test.example" in text
    assert "受理する" in text and "差し戻す" in text


@pytest.mark.django_db
def test_accept_and_return_from_the_change_page(
    client, section_staff, submitted, contractor, django_capture_on_commit_callbacks
):
    client.force_login(section_staff)
    url = reverse("admin:applications_application_return", args=[submitted.pk])
    response = client.post(url, {"reason": ""}, follow=True)
    assert "差戻しの理由を入力してください。" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reason": "押印欄の確認をお願いします", "deadline": "2099-01-31"})
    submitted.refresh_from_db()
    assert submitted.status == "returned" and submitted.return_deadline.isoformat() == "2099-01-31"
    assert mail.outbox[-1].to == [contractor.email]
    accept = client.post(
        reverse("admin:applications_application_accept", args=[submitted.pk]), follow=True
    )
    assert "提出済みの申請だけを受理できます。" in accept.content.decode()


def _yesterday() -> str:
    return format_wareki(timezone.localdate() - dt.timedelta(days=1))


def _typed_back(page: str) -> tuple[str, str]:
    """The 差戻しの理由 and 再提出の期限 as the change page shows them in its two fields."""
    reason = re.search(r'<textarea name="reason"[^>]*>\n?(.*?)</textarea>', page, re.S)
    deadline = re.search(r'<input type="text" name="deadline"([^>]*)>', page)
    value = re.search(r'value="([^"]*)"', deadline.group(1))
    return html.unescape(reason.group(1)), html.unescape(value.group(1)) if value else ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("令和8年12月40日", "「令和8年12月40日」という日付はありません"),
        (None, "再提出の期限は今日以降の日付にしてください。"),  # yesterday, in 和暦
    ],
    ids=["no-such-date", "past-date"],
)
def test_return_with_a_bad_deadline_keeps_what_was_typed(
    client, section_staff, submitted, django_capture_on_commit_callbacks, typed, message
):
    """A refused 再提出の期限 (a date that does not exist, or a past one): the change page comes
    back with the reason and the date as typed, the error beside the date only; nothing stored,
    nothing mailed."""
    typed = typed or _yesterday()
    client.force_login(section_staff)
    url = reverse("admin:applications_application_return", args=[submitted.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "工程表の版が古いです。", "deadline": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert _typed_back(page) == ("工程表の版が古いです。", typed)
    deadline_errors = re.search(r'<ul class="errorlist" id="id_deadline_error">(.*?)</ul>', page)
    assert message in deadline_errors.group(1)
    assert 'id="id_reason_error"' not in page  # the reason was fine
    assert "差戻しは完了していません。" in page
    change = reverse("admin:applications_application_change", args=[submitted.pk])
    assert f'action="{change}"' in page  # the page's own form still saves to the change page
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert submitted.return_reason == "" and submitted.return_deadline is None
    assert not AuditEvent.objects.filter(action="application.returned").exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_return_without_a_reason_keeps_the_typed_deadline(client, section_staff, submitted):
    client.force_login(section_staff)
    url = reverse("admin:applications_application_return", args=[submitted.pk])
    page = client.post(url, {"reason": "  ", "deadline": "令和99年1月31日"}).content.decode()
    reason, deadline = _typed_back(page)
    assert (reason.strip(), deadline) == ("", "令和99年1月31日")
    reason_errors = re.search(r'<ul class="errorlist" id="id_reason_error">(.*?)</ul>', page)
    assert "差戻しの理由を入力してください。" in reason_errors.group(1)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


@pytest.mark.django_db
def test_return_page_fields_are_empty_when_nothing_was_typed(client, section_staff, submitted):
    client.force_login(section_staff)
    page = client.get(reverse("admin:applications_application_change", args=[submitted.pk]))
    text = page.content.decode()
    assert _typed_back(text) == ("", "")
    # the inputs sit inside the admin's own form: each (the calendar too) names the 差戻し form
    assert 'name="reason" cols="60" rows="4" maxlength="2000" form="return-form"' in text
    assert re.search(r'<input type="date"[^>]*name="deadline__picker" form="return-form"', text)


@pytest.mark.django_db
def test_bulk_actions(client, section_staff, case, contractor, company, department):
    client.force_login(section_staff)
    a = filed(case, contractor)
    b = filed(CaseFactory(awarded_company=company, department=department), contractor)
    confirm = client.post(
        reverse(CHANGELIST), {"action": "accept_selected", "_selected_action": [a.pk]}
    )
    assert "次の申請を受理します" in confirm.content.decode()
    a.refresh_from_db()
    assert a.status == "submitted"  # nothing happens before the confirmation
    client.post(
        reverse(CHANGELIST),
        {"action": "accept_selected", "_selected_action": [a.pk], "apply": "1"},
    )
    a.refresh_from_db()
    assert a.status == "accepted"
    form_page = client.post(
        reverse(CHANGELIST), {"action": "return_selected", "_selected_action": [b.pk]}
    )
    assert "差戻しの理由" in form_page.content.decode()
    client.post(
        reverse(CHANGELIST),
        {
            "action": "return_selected",
            "_selected_action": [b.pk],
            "apply": "1",
            "reason": "添付漏れ",
        },
    )
    b.refresh_from_db()
    assert b.status == "returned" and b.return_reason == "添付漏れ"


@pytest.mark.django_db
def test_bulk_return_with_a_past_deadline_asks_again_as_typed(
    client, section_staff, case, contractor, company, department
):
    """The list's 差戻し action: a past 再提出の期限 shows its form again with what was typed and
    the error, and returns none of the selected applications."""
    client.force_login(section_staff)
    a = filed(case, contractor)
    b = filed(CaseFactory(awarded_company=company, department=department), contractor)
    typed = _yesterday()
    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "return_selected",
            "_selected_action": [a.pk, b.pk],
            "apply": "1",
            "reason": "工程表の版が古いです。",
            "deadline": typed,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "次の申請を差し戻します" in page
    assert _typed_back(page) == ("工程表の版が古いです。", typed)
    assert "再提出の期限は今日以降の日付にしてください。" in page
    assert set(Application.objects.values_list("status", flat=True)) == {"submitted"}
    assert mail.outbox == []


@pytest.mark.django_db
def test_readonly_staff_cannot_review(client, readonly_staff, submitted):
    client.force_login(readonly_staff)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "accept_selected" not in page
    assert (
        client.post(
            reverse("admin:applications_application_accept", args=[submitted.pk])
        ).status_code
        == 403
    )
    client.post(
        reverse(CHANGELIST),
        {"action": "accept_selected", "_selected_action": [submitted.pk], "apply": "1"},
    )
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


@pytest.mark.django_db
def test_department_staff_see_only_their_department(
    client, department_staff, submitted, other_case
):
    other = filed(other_case, other_case.awarded_company.users.create(email="o@example.jp"))
    client.force_login(department_staff)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert submitted.receipt_number in page and other.receipt_number not in page
    assert (
        client.post(reverse("admin:applications_application_accept", args=[other.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("admin:applications_application_accept", args=[submitted.pk])
        ).status_code
        == 302
    )
    attachment_url = reverse("applications:pdf", args=[other.pk])
    assert client.get(attachment_url).status_code == 404


@pytest.mark.django_db
def test_staff_message_notifies_the_contractor(
    client, section_staff, submitted, contractor, django_capture_on_commit_callbacks
):
    client.force_login(section_staff)
    url = reverse("admin:applications_application_change", args=[submitted.pk])
    data = {
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "messages-TOTAL_FORMS": "1",
        "messages-INITIAL_FORMS": "0",
        "messages-0-body": "工程表も添付してください",
        "messages-0-application": submitted.pk,
        "revisions-TOTAL_FORMS": "1",
        "revisions-INITIAL_FORMS": "1",
        "revisions-0-id": submitted.revisions.get().pk,
        "revisions-0-application": submitted.pk,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    message = submitted.messages.get()
    assert message.from_staff and message.author == section_staff
    assert any(
        m.to == [contractor.email] and "工程表も添付してください" in m.body for m in mail.outbox
    )


@pytest.mark.django_db
def test_staff_messages_are_rate_limited(client, section_staff, submitted, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "staff_message": (2, 600)}
    mail.outbox.clear()
    client.force_login(section_staff)
    url = reverse("admin:applications_application_change", args=[submitted.pk])

    def post(body: str):
        return client.post(
            url,
            {
                "attachments-TOTAL_FORMS": "0",
                "attachments-INITIAL_FORMS": "0",
                "messages-TOTAL_FORMS": "1",
                "messages-INITIAL_FORMS": "0",
                "messages-0-body": body,
                "messages-0-application": submitted.pk,
                "revisions-TOTAL_FORMS": "1",
                "revisions-INITIAL_FORMS": "1",
                "revisions-0-id": submitted.revisions.get().pk,
                "revisions-0-application": submitted.pk,
            },
        )

    answers = [post(f"工程表も添付してください（{i}）").status_code for i in range(4)]
    assert answers == [302, 302, 429, 429]
    assert submitted.messages.count() == 2
    assert "アクセスが集中しています" in post("もう一度").content.decode()
    assert client.get(url).status_code == 200  # reading the page is not limited


@pytest.mark.django_db
def test_filters_search_and_csv_export(client, section_staff, submitted, case, contractor):
    client.force_login(section_staff)
    filed(case, contractor, "schedule", submit=False, data={"note": ""})
    found = client.get(reverse(CHANGELIST), {"q": submitted.receipt_number}).content.decode()
    assert submitted.receipt_number in found
    by_status = client.get(reverse(CHANGELIST), {"status__exact": "draft"}).content.decode()
    assert submitted.receipt_number not in by_status and "（未提出）" in by_status
    by_kind = client.get(reverse(CHANGELIST), {"kind": "econtract"}).content.decode()
    assert submitted.receipt_number in by_kind
    response = client.get(
        reverse("admin:applications_application_export"), {"status__exact": "submitted"}
    )
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["到達番号", "様式", "案件番号"]
    assert len(rows) == 2
    assert rows[1][0] == submitted.receipt_number and rows[1][1] == "電子契約利用申出書"
    assert rows[1][8] == "提出済" and rows[1][10].startswith("令和")


@pytest.mark.django_db
def test_changelist_queries_are_bounded_with_1000_applications(
    client, section_staff, case, company
):
    client.force_login(section_staff)
    now = timezone.now()
    Application.objects.bulk_create(
        Application(
            case=case,
            company=company,
            kind="econtract",
            status="accepted",
            receipt_number=f"T-{i:06d}",
            submitted_at=now,
        )
        for i in range(1000)
    )
    client.get(reverse(CHANGELIST))  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert "1000" in response.content.decode()
    assert len(queries) <= 12, [q["sql"][:120] for q in queries]
