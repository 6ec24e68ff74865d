"""契約書の作成 from the case: values prepared from the case, the PDF in the same step, a reason
for any difference, and the chosen PDF kept across a validation error."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.models import Contract
from core.models import AuditEvent, StoredFile

DEMO_PDF = Path(__file__).resolve().parents[2] / "portal" / "demo" / "contract-construction.pdf"


def demo_pdf(name="建設工事請負契約書.pdf"):
    return SimpleUploadedFile(name, DEMO_PDF.read_bytes(), "application/pdf")


def prepared_values(html: str) -> dict:
    return dict(re.findall(r'<input type="\w+" name="(\w+)" value="([^"]*)"', html))


def test_case_page_offers_the_contract_and_the_form_is_prepared(staff_client, case):
    page = staff_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    prepare = reverse("admin:contracts_contract_prepare", args=[case.pk])
    assert prepare in page and "契約書を作成する" in page
    values = prepared_values(staff_client.get(prepare).content.decode())
    assert values["title"] == case.title
    assert values["amount"] == "50,000,000"  # shown as people write it
    assert values["tax_amount"] == "4,545,454"  # 10 % inside 50,000,000 (1円未満切捨て)
    assert values["period_start"] == "令和7年11月10日"  # shown back in 和暦
    assert values["period_end"] == "令和8年3月19日"


def test_create_with_the_prepared_values_and_the_pdf(staff_client, case):
    prepare = reverse("admin:contracts_contract_prepare", args=[case.pk])
    values = prepared_values(staff_client.get(prepare).content.decode())
    values["amount"] = "50,000,000"  # as a person types it
    response = staff_client.post(prepare, {**values, "upload": demo_pdf()})
    contract = Contract.objects.get(case=case)
    assert response.status_code == 302
    assert (contract.title, contract.amount, contract.tax_amount) == (
        case.title,
        50_000_000,
        4_545_454,
    )
    assert (contract.period_start, contract.period_end) == (case.period_start, case.period_end)
    assert contract.contract_date is None  # the day of conclusion
    assert [f.file.original_name for f in contract.files.all()] == ["建設工事請負契約書.pdf"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"contract.created", "contract.file_added"} <= actions
    assert "contract.values_differ" not in actions
    # The case now leads to its contract instead of offering a second one.
    page = staff_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "契約書を作成する" not in page and "契約を開く" in page


def test_missing_pdf_is_explained_and_nothing_is_created(staff_client, case):
    prepare = reverse("admin:contracts_contract_prepare", args=[case.pk])
    values = prepared_values(staff_client.get(prepare).content.decode())
    page = staff_client.post(prepare, values)
    assert page.status_code == 200
    assert "契約書のPDFを選んでください。" in page.content.decode()
    assert not Contract.objects.exists()


def test_not_a_pdf_is_refused_in_japanese(staff_client, case):
    prepare = reverse("admin:contracts_contract_prepare", args=[case.pk])
    values = prepared_values(staff_client.get(prepare).content.decode())
    fake = SimpleUploadedFile("契約書.pdf", b"PK\x03\x04 not a pdf", "application/pdf")
    page = staff_client.post(prepare, {**values, "upload": fake}).content.decode()
    assert "PDF" in page and "errorlist" in page
    assert not Contract.objects.exists() and not StoredFile.objects.filter(kind="contract").exists()


def test_a_different_amount_needs_a_reason_and_the_pdf_is_kept(staff_client, case):
    prepare = reverse("admin:contracts_contract_prepare", args=[case.pk])
    values = prepared_values(staff_client.get(prepare).content.decode())
    values["amount"] = "４９，５００，０００"  # full-width, as typed with an IME
    page = staff_client.post(prepare, {**values, "upload": demo_pdf("契約書_修正.pdf")})
    html = page.content.decode()
    assert "案件と異なる値（契約金額）にする理由を入力してください。" in html
    assert "選択済み: <strong>契約書_修正.pdf</strong>" in html
    assert not Contract.objects.exists()
    again = prepared_values(html)
    assert again["amount"] == "４９，５００，０００" and again["pending"]
    # The second submit chooses no file: the kept one is used.
    response = staff_client.post(prepare, {**again, "reason": "落札後の契約変更協議による減額"})
    assert response.status_code == 302
    contract = Contract.objects.get(case=case)
    assert contract.amount == 49_500_000
    assert [f.file.original_name for f in contract.files.all()] == ["契約書_修正.pdf"]
    event = AuditEvent.objects.get(action="contract.values_differ")
    assert event.payload["reason"] == "落札後の契約変更協議による減額"
    assert event.payload["differences"][0]["field"] == "契約金額"


def test_the_service_refuses_differences_without_reason(case, section_staff):
    from contracts import services

    with pytest.raises(services.ContractError, match="理由を入力"):
        services.contract_create(case=case, user=section_staff, amount=1_000)
    assert not Contract.objects.exists()


def test_department_staff_cannot_prepare_another_departments_case(
    client, department_staff, other_case
):
    client.force_login(department_staff)
    url = reverse("admin:contracts_contract_prepare", args=[other_case.pk])
    assert client.get(url).status_code == 404


def test_accepted_econtract_leads_to_the_contract(staff_client, case, accepted_econtract):
    page = staff_client.get(
        reverse("admin:applications_application_change", args=[accepted_econtract.pk])
    ).content.decode()
    assert reverse("admin:contracts_contract_prepare", args=[case.pk]) in page


def test_add_contract_goes_to_the_case_picker(staff_client, case):
    response = staff_client.get(reverse("admin:contracts_contract_add"))
    assert response["Location"] == reverse("admin:contracts_contract_prepare_pick")
    found = staff_client.get(
        reverse("admin:contracts_contract_prepare_pick"), {"number": f" {case.number} "}
    )
    assert found["Location"] == reverse("admin:contracts_contract_prepare", args=[case.pk])
    missing = staff_client.get(
        reverse("admin:contracts_contract_prepare_pick"), {"number": "R9-X-9999"}
    )
    assert "案件番号「R9-X-9999」の案件が見つかりません。" in missing.content.decode()
