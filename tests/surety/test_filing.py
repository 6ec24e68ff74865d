"""Filing a 認証キーのお知らせ: read, confirm or correct, register; the key never shown."""

import datetime as dt
import io
import logging

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from applications.models import Application
from contracts import services as contract_services
from contracts.selectors import gate_problems
from core.models import AuditEvent, StoredFile
from surety import services
from surety.models import SuretyCertificate
from tests.applications.helpers import file_via_pages
from tests.surety.notices import KEY, notice_pdf, scan_pdf, standard


def upload(client, case, data, action="save"):
    url = reverse("applications:new", args=[case.pk, "surety_notice"])
    return client.post(
        url,
        {
            "action": action,
            "purpose": "surety_notice",
            "upload": SimpleUploadedFile("お知らせ.pdf", data, "application/pdf"),
        },
        follow=True,
    )


def file_notice(client, case, *, changes=None, data=None):
    page = upload(client, case, data or notice_pdf(standard()))
    application = Application.objects.get(kind="surety_notice", case=case)
    form = {
        "construction_name": application.data["construction_name"],
        "contractor_name": application.data["contractor_name"],
        "product": application.data["product"],
        "guarantee_number": application.data["guarantee_number"],
        "auth_key": application.data["auth_key"],
        "purpose": "surety_notice",
        **(changes or {}),
    }
    file_via_pages(client, reverse("applications:edit", args=[application.pk]), form)
    application.refresh_from_db()
    return page, application


@pytest.mark.django_db
def test_the_contractor_sees_what_was_read_then_files_it(
    logged_in, build_case, django_capture_on_commit_callbacks
):
    page = upload(logged_in, build_case, notice_pdf(standard()))
    text = page.content.decode()
    assert "PDFを読み取りました。" in text
    assert "31072-0002K" in text and KEY in text  # before filing: shown to confirm
    application = Application.objects.get()
    assert application.status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        _, application = file_notice(logged_in, build_case)
    assert application.status == "submitted"
    certificate = SuretyCertificate.objects.get()
    assert certificate.product == "performance" and certificate.form == "electronic"
    assert certificate.auth_key == KEY and certificate.status == "received"
    assert certificate.corrected_fields == [] and certificate.warnings == []
    assert certificate.issuer == "東日本建設業保証株式会社"
    assert certificate.source_file.original_name == "お知らせ.pdf"
    # after filing the key is masked on every contractor page, in the PDF and in the mails
    pages = [
        logged_in.get(reverse("applications:detail", args=[application.pk])),
        logged_in.get(reverse("case_detail", args=[build_case.pk])),
    ]
    for response in pages:
        body = response.content.decode()
        assert KEY not in body and "●●●●" in body
    pdf = logged_in.get(reverse("applications:pdf", args=[application.pk])).content
    assert KEY not in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert mail.outbox and all(KEY not in m.body and KEY not in m.subject for m in mail.outbox)


@pytest.mark.django_db
def test_a_correction_is_recorded_as_such(logged_in, build_case):
    file_notice(
        logged_in, build_case, changes={"construction_name": "市道1234号線道路改良工事（訂正）"}
    )
    certificate = SuretyCertificate.objects.get()
    assert certificate.corrected_fields == ["construction_name"]
    assert certificate.read_values["construction_name"] == "市道1234号線道路改良工事"
    assert certificate.notice_construction_name == "市道1234号線道路改良工事(訂正)"


@pytest.mark.django_db
def test_mismatches_are_warnings_for_staff(logged_in, build_case):
    data = notice_pdf(standard(title="別の工事", number="123-X"))
    _, application = file_notice(logged_in, build_case, data=data)
    assert application.status == "submitted"  # still allowed
    warnings = SuretyCertificate.objects.get().warnings
    assert any("工事名が案件と一致しません" in w for w in warnings)
    assert any("通常の形式" in w for w in warnings)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (scan_pdf(), "文字情報がありません"),
        (notice_pdf([*standard(), "認 証 キー : Z28YUE4J3Bux"]), "認証キーが複数記載されています"),
        (
            notice_pdf([line for line in standard() if "保証契約番号" not in line]),
            "保証契約番号が見つかりません",
        ),
        (b"not a pdf at all", "PDFファイルではありません"),
    ],
    ids=["scan", "two-keys", "no-number", "not-pdf"],
)
def test_unreadable_notices_are_refused_and_nothing_is_stored(logged_in, build_case, data, message):
    page = upload(logged_in, build_case, data)
    assert message in page.content.decode()
    assert StoredFile.objects.count() == 0 and SuretyCertificate.objects.count() == 0
    application = Application.objects.get()
    assert application.attachments.count() == 0 and application.results.empty
    assert not any(key.startswith("_") for key in application.data)


@pytest.mark.django_db
def test_key_never_in_logs(logged_in, build_case, caplog):
    caplog.set_level(logging.DEBUG)
    file_notice(logged_in, build_case)
    assert KEY not in caplog.text
    assert all(KEY not in str(e.payload) for e in AuditEvent.objects.all())


@pytest.mark.django_db
def test_staff_list_masks_and_reveal_needs_the_permission(
    logged_in, build_case, section_staff, admin_client
):
    file_notice(logged_in, build_case)
    certificate = SuretyCertificate.objects.get()
    staff = Client()
    staff.force_login(section_staff)
    listing = staff.get(reverse("admin:surety_suretycertificate_changelist")).content.decode()
    assert "31072-0002K" in listing and KEY not in listing
    change = staff.get(reverse("admin:surety_suretycertificate_change", args=[certificate.pk]))
    assert KEY not in change.content.decode() and "D・Sure" in change.content.decode()
    reveal = reverse("admin:surety_suretycertificate_reveal", args=[certificate.pk])
    assert staff.post(reveal).status_code == 403  # 契約管財課 without the dedicated permission
    assert not AuditEvent.objects.filter(action="surety.credential_revealed").exists()
    shown = admin_client.post(reveal)
    assert shown.status_code == 200 and KEY in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    assert AuditEvent.objects.filter(action="surety.credential_revealed").count() == 1
    admin_changes = admin_client.get(reverse("admin:applications_application_changelist"))
    assert KEY not in admin_changes.content.decode()
    application_page = admin_client.get(
        reverse("admin:applications_application_change", args=[certificate.application_id])
    )
    assert KEY not in application_page.content.decode()


def record(certificate, **values):
    for key, value in values.items():
        setattr(certificate, key, value)
    certificate.save()
    return certificate


@pytest.fixture
def electronic(build_case):
    return SuretyCertificate.objects.create(
        case=build_case,
        product="performance",
        form="electronic",
        guarantee_number="31072-0002K",
        auth_key=KEY,
        holder="足利テスト建設 株式会社",
        beneficiary="足利市長",
        expires_on=build_case.period_end,
        certificate_construction_name=build_case.title,
        contract_amount=50_000_000,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("amount", "passed"), [(5_000_000, True), (4_999_999, False)])
def test_performance_amount_boundary(electronic, amount, passed):
    record(electronic, amount=amount)
    check = services.checks(electronic)[0]
    assert check.passed is passed
    assert check.name == "保証金額 ≥ 請負金額×1/10"
    assert "必要額 5,000,000円" in check.detail


@pytest.mark.django_db
def test_guarantee_ending_a_day_before_the_works_fails(electronic, section_staff):
    record(
        electronic, amount=5_000_000, expires_on=electronic.case.period_end - dt.timedelta(days=1)
    )
    failed = [c.name for c in services.checks(electronic) if not c.passed]
    assert failed == ["保証期限 ≥ 工期の終期"]
    with pytest.raises(services.SuretyError) as exc_info:
        services.surety_verify(certificate=electronic, user=section_staff)
    assert "保証期限 ≥ 工期の終期" in exc_info.value.message
    electronic.refresh_from_db()
    assert electronic.status == "received"
    services.surety_verify(
        certificate=electronic, user=section_staff, expires_on=electronic.case.period_end
    )
    electronic.refresh_from_db()
    assert electronic.status == "verified" and electronic.verified_by == section_staff


@pytest.mark.django_db
def test_advance_guarantee_must_equal_the_requested_advance(build_case, contractor, section_staff):
    from tests.applications.helpers import filed

    filed(build_case, contractor, "advance_payment")  # requests 20,000,000
    advance = SuretyCertificate.objects.create(
        case=build_case,
        product="advance",
        form="electronic",
        guarantee_number="31072-0001M",
        amount=20_000_000,
        expires_on=build_case.period_end,
        beneficiary="足利市長",
        certificate_construction_name=build_case.title,
        contract_amount=50_000_000,
    )
    assert all(c.passed for c in services.checks(advance))
    record(advance, amount=19_990_000)
    assert [c.name for c in services.checks(advance) if not c.passed] == [
        "保証金額 = 前金払申請書の前払金"
    ]


@pytest.mark.django_db
def test_paper_and_electronic_cannot_be_mixed(electronic, build_case, section_staff):
    with pytest.raises(services.SuretyError) as exc_info:
        services.surety_record_other(
            case=build_case,
            user=section_staff,
            product="performance",
            form="paper",
            issuer_type="surety_company",
            issuer="東日本建設業保証",
            guarantee_number="31072-0002K",
            received_on=dt.date(2025, 11, 1),
        )
    assert "電子と紙の保証証書は混在できません" in exc_info.value.message
    assert SuretyCertificate.objects.count() == 1
    # another product on the same case may be paper (前払金 electronic, 契約 paper is fine)
    services.surety_record_other(
        case=build_case,
        user=section_staff,
        product="advance",
        form="paper",
        issuer_type="bank",
        issuer="足利銀行",
        guarantee_number="BANK-1",
        received_on=dt.date(2025, 11, 1),
    )
    assert services.mixing_problems(guarantee_number="BANK-1", electronic=True)


@pytest.mark.django_db
def test_staff_record_a_paper_guarantee_in_the_admin(client, section_staff, build_case, electronic):
    client.force_login(section_staff)
    url = reverse("admin:surety_suretycertificate_add")
    data = {
        "case": build_case.pk,
        "product": "performance",
        "form": "paper",
        "issuer_type": "surety_company",
        "issuer": "東日本建設業保証",
        "guarantee_number": "31072-0002K",
        "received_on": "2025-11-01",
    }
    refused = client.post(url, data)
    assert "電子と紙の保証証書は混在できません" in refused.content.decode()
    data["guarantee_number"] = "P-2025-01"
    assert client.post(url, data).status_code == 302
    assert SuretyCertificate.objects.filter(guarantee_number="P-2025-01", form="paper").exists()


@pytest.mark.django_db
def test_defective_returns_the_filing_and_tells_the_contractor(
    logged_in, build_case, section_staff, contractor, django_capture_on_commit_callbacks
):
    _, application = file_notice(logged_in, build_case)
    certificate = SuretyCertificate.objects.get()
    with pytest.raises(services.SuretyError):
        services.surety_mark_defective(certificate=certificate, user=section_staff, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.surety_mark_defective(
            certificate=certificate, user=section_staff, reason="保証金額が不足"
        )
    application.refresh_from_db()
    assert application.status == "returned" and "保証金額が不足" in application.return_reason
    assert any(m.to == [contractor.email] and "差戻し" in m.subject for m in mail.outbox)


@pytest.mark.django_db
def test_the_performance_surety_gate(build_case, section_staff, contractor, electronic):
    from applications import services as application_services
    from tests.applications.helpers import filed
    from tests.pdfs import pdf_upload

    build_case.department.signer_name = "足利市長"
    build_case.department.signer_email = "shicho@city.example"
    build_case.department.save()
    application_services.application_accept(
        application=filed(build_case, contractor), reviewer=section_staff
    )
    contract = contract_services.contract_create(case=build_case, user=section_staff)
    contract_services.contract_add_file(contract=contract, user=section_staff, upload=pdf_upload())
    assert gate_problems(contract) == [
        "契約保証の保証証書が確認済になっていません（電子保証は確認済、紙は原本の受領日が必要）。"
    ]
    record(electronic, amount=5_000_000)
    services.surety_verify(certificate=electronic, user=section_staff)
    assert gate_problems(contract) == []
    electronic.delete()
    assert "提出されていません" in gate_problems(contract)[0]
    build_case.surety_exempt = True
    build_case.surety_exempt_reason = "契約金額が少額のため"
    build_case.save()
    assert gate_problems(contract) == []


@pytest.mark.django_db
def test_department_staff_download_the_notice_of_their_cases(
    logged_in, build_case, department_staff, readonly_staff
):
    file_notice(logged_in, build_case)
    certificate = SuretyCertificate.objects.get()
    url = reverse("admin:surety_suretycertificate_source", args=[certificate.pk])
    staff = Client()
    staff.force_login(department_staff)  # build_case is in their department
    response = staff.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    change = staff.get(reverse("admin:surety_suretycertificate_change", args=[certificate.pk]))
    assert url in change.content.decode()
