"""The gate of contract_send_for_signature: each failure named, nothing sent."""

import datetime as dt

import pytest

from applications import services as application_services
from contracts import selectors, services
from contracts.models import SigningRequest
from tests.applications.helpers import filed
from tests.pdfs import pdf_upload


def problems_of(contract, user):
    with pytest.raises(services.ContractError) as exc_info:
        services.contract_send_for_signature(contract=contract, user=user)
    assert SigningRequest.objects.count() == 0
    contract.refresh_from_db()
    assert contract.status == "preparing"
    return exc_info.value.problems


@pytest.mark.django_db
def test_a_ready_contract_passes(ready_contract):
    assert selectors.gate_problems(ready_contract) == []


@pytest.mark.django_db
def test_no_econtract_application(case, section_staff, signer_department):
    contract = services.contract_create(case=case, user=section_staff)
    services.contract_add_file(contract=contract, user=section_staff, upload=pdf_upload())
    assert problems_of(contract, section_staff) == ["電子契約利用申出書が提出されていません。"]


@pytest.mark.django_db
def test_latest_econtract_not_accepted(ready_contract, case, contractor, section_staff):
    newer = filed(case, contractor)  # an address change, still under review
    problems = problems_of(ready_contract, section_staff)
    assert problems == [
        f"最新の電子契約利用申出書（到達番号 {newer.receipt_number}）"
        "が受理されていません（提出済）。"
    ]
    application_services.application_accept(application=newer, reviewer=section_staff)
    assert selectors.gate_problems(ready_contract) == []


@pytest.mark.django_db
def test_no_pdf(case, section_staff, accepted_econtract):
    contract = services.contract_create(case=case, user=section_staff)
    assert problems_of(contract, section_staff) == [
        "署名するPDFがありません。契約書のPDFを登録してください。"
    ]


@pytest.mark.django_db
def test_term_over_ten_years(ready_contract, section_staff):
    ready_contract.period_start = dt.date(2025, 4, 1)
    ready_contract.period_end = dt.date(2035, 4, 1)  # exactly ten years: allowed
    ready_contract.save()
    assert selectors.gate_problems(ready_contract) == []
    ready_contract.period_end = dt.date(2035, 4, 2)
    ready_contract.save()
    assert problems_of(ready_contract, section_staff) == [
        "契約期間が10年を超えるため、電子契約の対象外です。"
    ]


@pytest.mark.django_db
def test_council_case(ready_contract, section_staff, settings):
    ready_contract.amount = 149_999_999
    ready_contract.save()
    # without a 予定価格 the amount no longer lets it through (issue 25)
    assert selectors.gate_problems(ready_contract)[0].startswith("予定価格が登録されていません。")
    ready_contract.case.planned_price = 149_999_999
    ready_contract.case.save()
    ready_contract.refresh_from_db()
    assert selectors.gate_problems(ready_contract) == []
    ready_contract.case.planned_price = None
    ready_contract.case.save()
    ready_contract.refresh_from_db()
    ready_contract.amount = 150_000_000
    ready_contract.save()
    assert problems_of(ready_contract, section_staff) == [
        "契約金額が150,000,000円以上の議決案件のため、電子契約の対象外です。"
    ]


@pytest.mark.django_db
def test_no_city_signer(ready_contract, section_staff, signer_department):
    signer_department.signer_email = ""
    signer_department.save()
    assert problems_of(ready_contract, section_staff) == [
        "担当課「土木課」に市の署名者（氏名・メールアドレス）が設定されていません。"
    ]


@pytest.mark.django_db
def test_another_active_request(ready_contract, section_staff, django_capture_on_commit_callbacks):
    services.contract_send_for_signature(contract=ready_contract, user=section_staff)
    ready_contract.refresh_from_db()
    with pytest.raises(services.ContractError) as exc_info:
        services.contract_send_for_signature(contract=ready_contract, user=section_staff)
    assert "「署名依頼中」の契約は送信できません。" in exc_info.value.problems
    assert "この契約には進行中の署名依頼があります。" in exc_info.value.problems
    assert SigningRequest.objects.count() == 1


@pytest.mark.django_db
def test_signers_and_reportees_come_from_the_accepted_form(ready_contract, section_staff, company):
    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    signers = list(
        signing_request.signers.values_list("order", "role", "name", "email", "organization")
    )
    assert signers == [
        (1, "contractor", "山田 太郎", "yamada@ashikaga-test.example", company.name),
        (2, "city", "足利市長 早川 尚秀", "shicho@city.ashikaga.example", "足利市"),
    ]
    assert list(signing_request.reportees.values_list("name", "email")) == [
        ("佐藤 一郎", "sato@ashikaga-test.example")
    ]


@pytest.mark.django_db
def test_change_contract_needs_a_concluded_original(ready_contract, section_staff):
    with pytest.raises(services.ContractError) as exc_info:
        services.contract_create_change(original=ready_contract, user=section_staff)
    assert exc_info.value.message == "締結済の契約だけを変更できます。"
    ready_contract.status = "concluded"
    ready_contract.save()
    change = services.contract_create_change(original=ready_contract, user=section_staff)
    assert change.kind == "change" and change.original == ready_contract
    ready_contract.refresh_from_db()
    assert ready_contract.status == "concluded"


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, "application/pdf")


@pytest.mark.django_db
def test_a_pdf_the_portal_accepts_but_cloudsign_would_refuse_in_one_request(
    case, section_staff, accepted_econtract, settings
):
    """20 MB is the whole request body at CloudSign (read as 20,000,000 bytes, the smaller
    reading): a PDF the portal's 20 MiB upload limit accepts can still be over."""
    from tests.pdfs import make_large_pdf

    contract = services.contract_create(case=case, user=section_staff)
    data = make_large_pdf(settings.UPLOAD_MAX_BYTES - 200)  # within the portal's upload limit
    services.contract_add_file(
        contract=contract, user=section_staff, upload=_upload("設計図面.pdf", data)
    )
    problems = problems_of(contract, section_staff)
    assert problems == [
        "「設計図面.pdf」（21.0MB）は、電子契約サービスへ1回で送れる20MBを超えます。"
        "サイズを小さくしてください。"
    ]
    # a slightly smaller drawing goes through
    contract.files.all().delete()
    services.contract_add_file(
        contract=contract,
        user=section_staff,
        upload=_upload("設計図面.pdf", make_large_pdf(20_000_000 - 4096)),
    )
    assert selectors.gate_problems(contract) == []


@pytest.mark.django_db
def test_more_than_50mb_in_one_document(case, section_staff, accepted_econtract):
    from tests.pdfs import make_large_pdf

    contract = services.contract_create(case=case, user=section_staff)
    for n in range(3):
        services.contract_add_file(
            contract=contract,
            user=section_staff,
            upload=_upload(f"図面{n + 1}.pdf", make_large_pdf(18 * 1024 * 1024)),
        )
    assert problems_of(contract, section_staff) == [
        "1つの書類のPDFの合計は50MBまでです（現在56.6MB）。PDFを分けるか、サイズを小さくしてください。"
    ]


@pytest.mark.django_db
def test_more_than_100_files_in_one_document(case, section_staff, accepted_econtract):
    contract = services.contract_create(case=case, user=section_staff)
    for n in range(101):
        services.contract_add_file(
            contract=contract, user=section_staff, upload=pdf_upload(f"別紙{n + 1}.pdf", pages=1)
        )
    assert problems_of(contract, section_staff) == [
        "1つの書類に登録できるPDFは100件までです（現在101件）。"
    ]
