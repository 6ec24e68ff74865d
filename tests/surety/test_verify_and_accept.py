"""Verifying an electronic certificate can 受理 its notice application in the same step; after
確認済 the page offers no decision any more."""

import pytest
from django.urls import reverse

from applications.models import Application
from core.models import AuditEvent
from surety.models import SuretyCertificate
from tests.surety.test_filing import file_notice


@pytest.fixture
def filed_notice(logged_in, build_case):  # noqa: F811
    _, application = file_notice(logged_in, build_case)
    certificate = SuretyCertificate.objects.get(application=application)
    # What staff read on D・Sure, recorded before verifying.
    certificate.holder = "足利テスト建設 株式会社"
    certificate.beneficiary = "足利市長"
    certificate.amount = 5_000_000
    certificate.expires_on = build_case.period_end
    certificate.certificate_construction_name = build_case.title
    certificate.contract_amount = 50_000_000
    certificate.save()
    return certificate


@pytest.mark.django_db
def test_verify_and_accept_in_one_step(client, section_staff, filed_notice):
    client.force_login(section_staff)
    change = reverse("admin:surety_suretycertificate_change", args=[filed_notice.pk])
    page = client.get(change).content.decode()
    assert "確認済にする" in page and "不備として差し戻す" in page
    assert "あわせて認証キーのお知らせの申請" in page
    assert filed_notice.application.status == "submitted"
    response = client.post(
        reverse("admin:surety_suretycertificate_verify", args=[filed_notice.pk]),
        {"accept_application": "1"},
        follow=True,
    )
    assert "確認済にし、認証キーのお知らせの申請を受理しました。" in response.content.decode()
    filed_notice.refresh_from_db()
    application = Application.objects.get(pk=filed_notice.application_id)
    assert filed_notice.status == "verified" and application.status == "accepted"
    assert application.reviewer == section_staff
    assert {"surety.verified", "application.accepted"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    # Buttons that no longer apply are gone.
    page = client.get(change).content.decode()
    assert "確認済にする" not in page and "不備として差し戻す" not in page
    assert "この保証証書は「確認済」です" in page


@pytest.mark.django_db
def test_verify_alone_leaves_the_application(client, section_staff, filed_notice):
    client.force_login(section_staff)
    client.post(reverse("admin:surety_suretycertificate_verify", args=[filed_notice.pk]), {})
    filed_notice.refresh_from_db()
    assert filed_notice.status == "verified"
    assert Application.objects.get(pk=filed_notice.application_id).status == "submitted"


@pytest.mark.django_db
def test_a_failing_check_accepts_nothing(client, section_staff, filed_notice):
    filed_notice.amount = 4_999_999
    filed_notice.save()
    client.force_login(section_staff)
    response = client.post(
        reverse("admin:surety_suretycertificate_verify", args=[filed_notice.pk]),
        {"accept_application": "1"},
        follow=True,
    )
    assert "確認項目に不合格があります" in response.content.decode()
    filed_notice.refresh_from_db()
    assert filed_notice.status == "received"
    assert Application.objects.get(pk=filed_notice.application_id).status == "submitted"


@pytest.mark.django_db
def test_after_defective_no_buttons(client, section_staff, filed_notice):
    client.force_login(section_staff)
    client.post(
        reverse("admin:surety_suretycertificate_defective", args=[filed_notice.pk]),
        {"reason": "保証金額が不足しています"},
    )
    page = client.get(
        reverse("admin:surety_suretycertificate_change", args=[filed_notice.pk])
    ).content.decode()
    assert "確認済にする" not in page and "不備として差し戻す" not in page
