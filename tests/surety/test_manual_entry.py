"""Never a dead end: an unreadable notice can be filed by typing the number and key by hand."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Application
from core.models import AuditEvent, StoredFile
from surety.models import SuretyCertificate
from tests.applications.helpers import file_via_pages
from tests.pdfs import make_pdf
from tests.surety.notices import KEY, notice_pdf, scan_pdf, standard


def upload(client, case, data, **fields):
    return client.post(
        reverse("applications:new", args=[case.pk, "surety_notice"]),
        {
            "action": "save",
            "purpose": "surety_notice",
            "upload": SimpleUploadedFile("お知らせ.pdf", data, "application/pdf"),
            **fields,
        },
        follow=True,
    )


def typed(application, **changes):
    return {
        "construction_name": "市道1234号線道路改良工事",
        "contractor_name": "足利テスト建設 株式会社",
        "product": "契約保証",
        "manual_entry": "on",
        "guarantee_number": "31072-0002K",
        "guarantee_number_confirm": "31072-0002K",
        "auth_key": KEY,
        "auth_key_confirm": KEY,
        "action": "submit",
        **changes,
    }


@pytest.mark.django_db
def test_refusal_points_to_manual_entry_and_stores_nothing(logged_in, build_case):
    """Issue 16 「Never a dead end」: without the choice the unreadable notice is refused as
    before (nothing stored), and the message says how to go on."""
    page = upload(logged_in, build_case, scan_pdf()).content.decode()
    assert "文字情報がありません" in page and "手入力" in page
    assert StoredFile.objects.count() == 0 and SuretyCertificate.objects.count() == 0


@pytest.mark.django_db
def test_unreadable_notice_filed_by_hand_keeps_the_pdf_and_is_marked(
    logged_in, build_case, django_capture_on_commit_callbacks
):
    """Issue 16 「Never a dead end」: the contractor types 保証契約番号 and 認証キー twice, the key
    masked (type=password, never rendered back); the PDF stays attached; staff see 「手入力」."""
    page = upload(logged_in, build_case, scan_pdf(), manual_entry="on").content.decode()
    assert "手入力で提出します" in page
    assert re.search(r'<input type="password" name="auth_key"(?![^>]*value=)', page)
    assert re.search(r'<input type="password" name="auth_key_confirm"(?![^>]*value=)', page)
    application = Application.objects.get()
    assert application.attachments.count() == 1  # the unreadable PDF is kept
    edit = reverse("applications:edit", args=[application.pk])

    # a key typed differently the second time: refused, nothing registered, key not echoed
    wrong = logged_in.post(edit, typed(application, auth_key_confirm="Q7mD2xKp9LwB"))
    body = wrong.content.decode()
    assert "認証キーが1回目の入力と一致しません" in body
    assert KEY not in body
    application.refresh_from_db()
    assert application.status == "draft" and SuretyCertificate.objects.count() == 0

    # the number with a 長音 and full-width letters, as an IME gives it
    with django_capture_on_commit_callbacks(execute=True):
        file_via_pages(  # 入力 → 確認 → 提出
            logged_in,
            edit,
            typed(
                application,
                guarantee_number="31072ー0002Ｋ",
                guarantee_number_confirm="31072-0002K",
            ),
        )
    application.refresh_from_db()
    assert application.status == "submitted"
    certificate = SuretyCertificate.objects.get()
    assert certificate.entry == "manual" and certificate.get_entry_display() == "手入力"
    assert certificate.guarantee_number == "31072-0002K" and certificate.auth_key == KEY
    assert certificate.source_file.original_name == "お知らせ.pdf"
    assert certificate.corrected_fields == []
    assert "手入力しました" in certificate.warnings[0]
    assert "auth_key_confirm" not in application.data  # the confirmation is not kept
    event = AuditEvent.objects.get(action="surety.notice_registered")
    assert event.payload["entry"] == "manual"


def field_value(page: str, name: str) -> str | None:
    """The value an input of the page shows (None: the input shows none)."""
    tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', page).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else None


@pytest.mark.django_db
def test_choosing_manual_entry_keeps_the_typed_number_and_says_what_to_type(
    logged_in, build_case, django_capture_on_commit_callbacks
):
    """The tester's walk: number and key typed, a PDF that is not a notice attached → refused
    with the hint; the box ticked and the PDF attached again → 手入力 mode keeps the typed
    保証契約番号 and says what to fill in. The 認証キー is deliberately never shown back in 手入力
    (a password input), so the message asks for it again instead."""
    first = {
        "construction_name": "市道1234号線道路改良工事",
        "contractor_name": "足利テスト建設 株式会社",
        "product": "契約保証",
        "guarantee_number": "31072-0006K",
        "auth_key": KEY,
        "action": "confirm",
    }
    refused = upload(logged_in, build_case, make_pdf(), **first).content.decode()
    assert "手入力して提出する」にチェックを入れて" in refused
    assert StoredFile.objects.count() == 0  # nothing stored but the typed draft
    application = Application.objects.get()
    assert application.data["guarantee_number"] == "31072-0006K"

    edit = reverse("applications:edit", args=[application.pk])
    page = logged_in.post(
        edit,
        {
            **first,
            "manual_entry": "on",
            "purpose": "surety_notice",
            "upload": SimpleUploadedFile("お知らせ.pdf", make_pdf(), "application/pdf"),
        },
        follow=True,
    ).content.decode()
    assert field_value(page, "guarantee_number") == "31072-0006K"  # kept as typed
    assert not field_value(page, "guarantee_number_confirm")
    assert field_value(page, "auth_key") is None and field_value(page, "auth_key_confirm") is None
    assert KEY not in page  # the key is never shown back in 手入力
    assert "入力済みの保証契約番号（31072-0006K）はそのまま残しています" in page
    assert "「保証契約番号（確認のためもう一度）」にもう一度入力してください" in page
    assert "認証キーは安全のため画面に表示していません" in page
    application.refresh_from_db()
    assert application.data["guarantee_number"] == "31072-0006K"
    assert application.data["auth_key"] == ""
    assert application.attachments.count() == 1 and SuretyCertificate.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        file_via_pages(
            logged_in,
            edit,
            typed(
                application, guarantee_number="31072-0006K", guarantee_number_confirm="31072-0006K"
            ),
        )
    certificate = SuretyCertificate.objects.get()
    assert certificate.entry == "manual" and certificate.guarantee_number == "31072-0006K"


@pytest.mark.django_db
def test_a_number_read_from_a_removed_notice_is_not_kept_by_hand(logged_in, build_case):
    """A number read from a notice that was then removed may belong to another guarantee: in
    手入力 it is cleared, and the message asks for both values twice."""
    upload(logged_in, build_case, notice_pdf(standard()))
    application = Application.objects.get()
    assert application.data["guarantee_number"] == "31072-0002K"
    attachment = application.attachments.get()
    logged_in.post(reverse("applications:attachment_delete", args=[application.pk, attachment.pk]))
    page = logged_in.post(
        reverse("applications:edit", args=[application.pk]),
        {
            **application.data,
            "manual_entry": "on",
            "action": "save",
            "purpose": "surety_notice",
            "upload": SimpleUploadedFile("お知らせ.pdf", scan_pdf(), "application/pdf"),
        },
        follow=True,
    ).content.decode()
    assert not field_value(page, "guarantee_number")
    assert "「保証契約番号」と「保証契約番号（確認のためもう一度）」に保証契約番号を" in page
    application.refresh_from_db()
    assert application.data["guarantee_number"] == "" and application.data["auth_key"] == ""


@pytest.mark.django_db
def test_a_readable_notice_ignores_the_manual_choice(logged_in, build_case):
    """When the PDF reads, the read values win: no 手入力 mark."""
    upload(logged_in, build_case, notice_pdf(standard()), manual_entry="on")
    application = Application.objects.get()
    assert application.data["auth_key"] == KEY and application.data["manual_entry"] is False
    assert application.results.manual is None and application.results.read["auth_key"] == KEY
    assert not any(key.startswith("_") for key in application.data)


@pytest.mark.django_db
def test_a_file_that_is_not_a_pdf_is_refused_even_by_hand(logged_in, build_case):
    page = upload(logged_in, build_case, b"not a pdf", manual_entry="on").content.decode()
    assert "PDFファイルではありません" in page
    assert StoredFile.objects.count() == 0


@pytest.mark.django_db
def test_staff_record_an_electronic_certificate_by_hand(client, section_staff, build_case):
    """Issue 16: staff can also record an electronic certificate by hand (key twice, masked)."""
    client.force_login(section_staff)
    url = reverse("admin:surety_suretycertificate_add")
    data = {
        "case": build_case.pk,
        "product": "performance",
        "form": "electronic",
        "issuer_type": "surety_company",
        "issuer": "西日本建設業保証株式会社",
        "guarantee_number": "31072－0003A",
        "typed_key": KEY,
        "typed_key_again": "different1",
    }
    refused = client.post(url, data).content.decode()
    assert "認証キーが1回目の入力と一致しません" in refused and KEY not in refused
    assert SuretyCertificate.objects.count() == 0
    data["typed_key_again"] = KEY
    assert client.post(url, data).status_code == 302
    certificate = SuretyCertificate.objects.get()
    assert (certificate.form, certificate.entry) == ("electronic", "staff")
    assert certificate.guarantee_number == "31072-0003A" and certificate.auth_key == KEY
    listing = client.get(reverse("admin:surety_suretycertificate_changelist")).content.decode()
    assert "手入力（職員）" in listing and KEY not in listing


@pytest.mark.django_db
def test_a_filing_by_hand_reads_as_a_filing_wherever_shown(
    logged_in, build_case, section_staff, client, django_capture_on_commit_callbacks
):
    """The printed 申請書, the contractor's page and the staff page show 「手入力による提出」 and
    the number — not the question asked while typing, nor the two 「確認のためもう一度」 rows
    (they are never kept, so they printed as blank labels)."""
    from pypdf import PdfReader

    upload(logged_in, build_case, scan_pdf(), manual_entry="on")
    application = Application.objects.get()
    edit = reverse("applications:edit", args=[application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        file_via_pages(logged_in, edit, typed(application))
    pdf = logged_in.get(reverse("applications:pdf", args=[application.pk]))
    reader = PdfReader(
        io.BytesIO(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    )
    printed = re.sub(r"\s", "", "".join(page.extract_text() for page in reader.pages))
    page = logged_in.get(reverse("applications:detail", args=[application.pk])).content.decode()
    client.force_login(section_staff)
    staff = client.get(
        reverse("admin:applications_application_change", args=[application.pk])
    ).content.decode()
    for shown in (printed, page, staff):
        assert "手入力による提出（PDFを読み取れなかったため）" in shown
        assert "31072-0002K" in shown
        assert "確認のためもう一度" not in shown
        assert "PDFを読み取れない場合は" not in shown
        assert KEY not in shown
