"""The contract PDF checked against the case: real PDFs built with reportlab (CID font), read
back with pypdf; the check on the send page and in the send itself."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts import services
from contracts.models import SigningRequest
from contracts.pdf_check import MATCH, MISMATCH, NOT_FOUND, check_contract, check_pdf, norm_address
from core.models import AuditEvent
from portal.demo.contract_pdf import build_contract_pdf, build_scanned_pdf
from tests.contracts.test_prepare import DEMO_PDF


def results(check):
    return {i.name: i.result for i in check.items}


def contract_for(case, user, pdf: bytes, name="建設工事請負契約書.pdf", **values):
    contract = services.contract_create(
        case=case, user=user, tax_amount=values.pop("tax_amount", 4_545_454), **values
    )
    services.contract_add_file(
        contract=contract, user=user, upload=SimpleUploadedFile(name, pdf, "application/pdf")
    )
    return contract


@pytest.fixture
def demo_case(case):
    case.title = "市道1234号線道路改良工事"
    case.save()
    return case


def test_the_demo_contract_agrees_with_the_demo_case(demo_case, section_staff):
    contract = contract_for(demo_case, section_staff, DEMO_PDF.read_bytes())
    check = check_contract(contract)
    assert results(check) == {
        "工事名": MATCH,
        "請負代金額": MATCH,
        "取引に係る消費税額": MATCH,
        "工期": MATCH,
        "受注者の商号": MATCH,
        "受注者の住所": MATCH,
    }
    assert check.mismatches == [] and check.warning == ""


def test_a_wrong_amount_is_a_mismatch(demo_case, section_staff):
    pdf = build_contract_pdf(amount="金 55,000,000 円", tax="金 5,000,000 円")
    check = check_contract(contract_for(demo_case, section_staff, pdf))
    assert results(check)["請負代金額"] == MISMATCH
    assert results(check)["取引に係る消費税額"] == MISMATCH
    assert results(check)["工事名"] == MATCH
    amount = next(i for i in check.items if i.name == "請負代金額")
    assert (amount.expected, amount.found) == ("50,000,000円", "55,000,000円")


def test_forms_people_write_are_normalised(demo_case, section_staff):
    pdf = build_contract_pdf(
        title="市道１２３４号線道路改良工事",  # full-width digits
        amount="金５０，０００，０００円",
        period="2025年11月10日から2026年3月19日まで",  # 西暦 against the stored dates
        address="栃木県足利市本城3-2145",
        company="足利テスト建設㈱",
    )
    check = check_contract(contract_for(demo_case, section_staff, pdf))
    assert set(results(check).values()) == {MATCH}, check.items


def test_a_different_period_title_company_and_address(demo_case, section_staff):
    pdf = build_contract_pdf(
        title="市道1235号線道路改良工事",
        period="令和7年10月1日から令和8年3月19日まで",
        address="栃木県足利市通二丁目12番地",
        company="渡良瀬設計事務所 株式会社",
    )
    check = check_contract(contract_for(demo_case, section_staff, pdf))
    assert results(check) == {
        "工事名": MISMATCH,
        "請負代金額": MATCH,
        "取引に係る消費税額": MATCH,
        "工期": MISMATCH,
        "受注者の商号": MISMATCH,
        "受注者の住所": MISMATCH,
    }
    period = next(i for i in check.items if i.name == "工期")
    assert period.found == "令和7年10月1日から令和8年3月19日まで"


def test_a_scanned_pdf_cannot_be_checked_and_says_so(demo_case, section_staff):
    check = check_contract(contract_for(demo_case, section_staff, build_scanned_pdf(pages=2)))
    assert check.scanned and check.items == [] and check.mismatches == []
    assert "文字情報のないPDF" in check.warning


def test_a_pdf_with_other_text_finds_nothing(demo_case, section_staff):
    from tests.pdfs import make_pdf

    check = check_contract(contract_for(demo_case, section_staff, make_pdf(pages=2)))
    assert set(results(check).values()) == {NOT_FOUND}
    assert "見つからない項目があります" in check.warning


def test_address_forms():
    assert norm_address("栃木県足利市本城三丁目2145番地") == norm_address("栃木県足利市本城3-2145")
    assert norm_address("足利市通二丁目12番地") != norm_address("足利市通7丁目12番地")


def test_unreadable_pdf_is_reported(demo_case):
    check = check_pdf(b"%PDF-1.7 broken", contract=None, company=None)
    assert check.unreadable and "読み取れません" in check.warning


# --- in the send --------------------------------------------------------------------------


@pytest.fixture
def mismatching(demo_case, section_staff, accepted_econtract):
    pdf = build_contract_pdf(amount="金55,000,000円")
    return contract_for(demo_case, section_staff, pdf, name="契約書_金額誤り.pdf")


def test_a_mismatch_blocks_the_send_without_a_reason(mismatching, section_staff):
    with pytest.raises(services.ContractError) as refused:
        services.contract_send_for_signature(contract=mismatching, user=section_staff)
    assert refused.value.code == "pdf_mismatch"
    assert (
        "請負代金額が一致しません（案件: 50,000,000円、PDF: 55,000,000円）"
        in (refused.value.problems[0])
    )
    assert not SigningRequest.objects.exists()
    mismatching.refresh_from_db()
    assert mismatching.status == "preparing"


def test_a_confirmed_mismatch_is_sent_and_audited(mismatching, section_staff):
    services.contract_send_for_signature(
        contract=mismatching, user=section_staff, check_reason="契約書は変更協議後の金額で正しい"
    )
    assert SigningRequest.objects.filter(contract=mismatching).count() == 1
    event = AuditEvent.objects.get(action="contract.check_confirmed")
    assert event.payload["reason"] == "契約書は変更協議後の金額で正しい"
    assert event.payload["differences"][0]["field"] == "請負代金額"


def test_a_scanned_pdf_is_sent_with_a_warning(client, demo_case, section_staff, accepted_econtract):
    contract = contract_for(demo_case, section_staff, build_scanned_pdf(), name="scan.pdf")
    client.force_login(section_staff)
    page = client.get(reverse("admin:contracts_contract_send", args=[contract.pk]))
    assert "文字情報のないPDF" in page.content.decode()
    response = client.post(reverse("admin:contracts_contract_send", args=[contract.pk]), {})
    assert response.status_code == 302
    assert SigningRequest.objects.filter(contract=contract).exists()


# --- the send page ------------------------------------------------------------------------


def test_the_send_page_shows_everything_and_sends(
    client, demo_case, section_staff, accepted_econtract
):
    contract = contract_for(demo_case, section_staff, DEMO_PDF.read_bytes())
    services.contract_add_file(
        contract=contract,
        user=section_staff,
        upload=SimpleUploadedFile(
            "契約約款.pdf", build_contract_pdf(clause_pages=4), "application/pdf"
        ),
    )
    client.force_login(section_staff)
    url = reverse("admin:contracts_contract_send", args=[contract.pk])
    html = client.get(url).content.decode()
    signers = html.split('id="signers"')[1].split('id="reportees"')[0]
    assert signers.index("山田 太郎") < signers.index("足利市長 早川 尚秀")  # contractor first
    assert f"到達番号 {accepted_econtract.receipt_number}" in signers
    assert "yamada@ashikaga-test.example" in signers
    reportees = html.split('id="reportees"')[1].split('id="files"')[0]
    assert "佐藤 一郎" in reportees and "sato@ashikaga-test.example" in reportees
    files = html.split('id="files"')[1].split('id="pdf-check"')[0]
    assert "建設工事請負契約書.pdf" in files and "3ページ" in files and "5ページ" in files
    check = html.split('id="pdf-check"')[1].split('id="gate"')[0]
    assert check.count("一致") == 6 and "不一致" not in check
    assert "送信できます。" in html.split('id="gate"')[1]
    response = client.post(url, {})
    assert response.status_code == 302
    assert SigningRequest.objects.get(contract=contract).signers.count() == 2


def test_the_send_page_asks_a_reason_for_a_mismatch(client, mismatching, section_staff):
    client.force_login(section_staff)
    url = reverse("admin:contracts_contract_send", args=[mismatching.pk])
    html = client.get(url).content.decode()
    assert "不一致" in html and "照合で不一致のまま送信する理由" in html
    refused = client.post(url, {}).content.decode()
    assert "請負代金額が一致しません" in refused
    assert not SigningRequest.objects.exists()
    client.post(url, {"check_reason": "金額は正しいことを課長に確認済み"})
    assert SigningRequest.objects.filter(contract=mismatching).exists()


def test_readonly_staff_see_the_page_but_cannot_send(client, readonly_staff, mismatching):
    client.force_login(readonly_staff)
    url = reverse("admin:contracts_contract_send", args=[mismatching.pk])
    html = client.get(url).content.decode()
    assert 'id="send-form"' not in html
    assert client.post(url, {"check_reason": "x"}).status_code == 403
    assert not SigningRequest.objects.exists()


def test_other_departments_contract_is_not_found(
    client, department_staff, other_case, section_staff
):
    contract = services.contract_create(case=other_case, user=section_staff)
    client.force_login(department_staff)
    assert (
        client.get(reverse("admin:contracts_contract_send", args=[contract.pk])).status_code == 404
    )
