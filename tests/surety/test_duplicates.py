"""The same 保証契約番号 on a second case: the contractor is warned before filing, staff see it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from applications.models import Application
from surety.models import SuretyCertificate
from tests.applications.helpers import VALID
from tests.factories import CaseFactory
from tests.surety.notices import notice_pdf, standard

TITLE_A = "市道1234号線道路改良工事"
TITLE_B = "市道5678号線舗装工事"


def to_confirm_page(client, case, *, title, contractor="足利テスト建設 株式会社") -> str:
    """Upload the notice, keep what was read, go to the 確認画面; its HTML."""
    client.post(
        reverse("applications:new", args=[case.pk, "surety_notice"]),
        {
            "action": "save",
            "purpose": "surety_notice",
            "upload": SimpleUploadedFile(
                "お知らせ.pdf",
                notice_pdf(standard(title=title, contractor=contractor)),
                "application/pdf",
            ),
        },
    )
    application = Application.objects.get(case=case, kind="surety_notice")
    fields = ("construction_name", "contractor_name", "product", "guarantee_number", "auth_key")
    response = client.post(
        reverse("applications:edit", args=[application.pk]),
        {**{f: application.data[f] for f in fields}, "action": "confirm"},
    )
    assert response["Location"] == reverse("applications:confirm", args=[application.pk])
    return client.get(response["Location"]).content.decode()


def submit_from(client, page: str) -> None:
    digest = re.search(r'name="digest" value="(\w+)"', page).group(1)
    submit = re.search(r'action="([^"]+/submit/)"', page).group(1)
    client.post(submit, {"digest": digest})


@pytest.fixture
def two_cases(company, department):
    return (
        CaseFactory(awarded_company=company, department=department, title=TITLE_A),
        CaseFactory(awarded_company=company, department=department, title=TITLE_B),
    )


@pytest.mark.django_db
def test_same_number_on_a_second_case_of_the_same_company(
    client, contractor, two_cases, section_staff
):
    case_a, case_b = two_cases
    client.force_login(contractor)
    first = to_confirm_page(client, case_a, title=TITLE_A)
    assert "既に提出されています" not in first  # the first filing: nothing to say
    submit_from(client, first)
    second = to_confirm_page(client, case_b, title=TITLE_B)
    assert (
        f"保証契約番号 31072-0002K は別の案件（{case_a.number} {TITLE_A}）で既に提出されています。"
        in second
    )
    assert "このまま提出することもできます" in second
    submit_from(client, second)  # a warning, not a refusal
    certificate = SuretyCertificate.objects.get(case=case_b)
    assert certificate.application.status == "submitted"
    flagged = [w for w in certificate.warnings if "重複提出" in w]
    assert flagged and case_a.number in flagged[0] and "同じ事業者" in flagged[0]
    assert not any("重複提出" in w for w in SuretyCertificate.objects.get(case=case_a).warnings)
    staff = Client()
    staff.force_login(section_staff)
    change = staff.get(reverse("admin:surety_suretycertificate_change", args=[certificate.pk]))
    assert "重複提出でないか確認してください" in change.content.decode()


@pytest.mark.django_db
def test_same_number_registered_for_another_company(
    client, contractor, other_contractor, other_company, company, department
):
    theirs = CaseFactory(awarded_company=other_company, department=department, title=TITLE_A)
    ours = CaseFactory(awarded_company=company, department=department, title=TITLE_B)
    client.force_login(other_contractor)
    submit_from(
        client, to_confirm_page(client, theirs, title=TITLE_A, contractor="他社工業 株式会社")
    )
    client.force_login(contractor)
    page = to_confirm_page(client, ours, title=TITLE_B)
    assert "保証契約番号 31072-0002K は他の案件で既に登録されています。" in page
    assert theirs.number not in page and "他社工業" not in page  # nothing about the other company
    submit_from(client, page)
    staff_view = SuretyCertificate.objects.get(case=ours).warnings
    assert any(theirs.number in w and "他社工業" in w for w in staff_view)


@pytest.mark.django_db
def test_advance_payment_names_a_number_registered_on_another_case(client, contractor, two_cases):
    case_a, case_b = two_cases
    client.force_login(contractor)
    submit_from(client, to_confirm_page(client, case_a, title=TITLE_A))
    data = {**VALID["advance_payment"], "guarantee_number": "31072-0002K", "action": "confirm"}
    response = client.post(reverse("applications:new", args=[case_b.pk, "advance_payment"]), data)
    page = client.get(response["Location"]).content.decode()
    assert f"別の案件（{case_a.number} {TITLE_A}）で既に提出されています" in page
    same_case = {**data, "guarantee_number": "31072-0002K"}
    response = client.post(
        reverse("applications:new", args=[case_a.pk, "advance_payment"]), same_case
    )
    assert "既に提出されています" not in client.get(response["Location"]).content.decode()
