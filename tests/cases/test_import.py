"""Bulk import of 事業者 and 案件 from CSV in the admin: upload → 確認 (dry run) → 取込み. Real
files as staff have them (docs/samples, UTF-8 and Excel's Shift_JIS); every bad input a Japanese
message and nothing imported."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Company, Department, Invitation
from cases.models import Case
from core.models import AuditEvent
from tests.factories import CompanyFactory

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


@pytest.fixture
def staff(client, section_staff, department):
    Department.objects.get_or_create(code="doboku", defaults={"name": "土木課"})
    client.force_login(section_staff)
    return client


def upload(client, model: str, data: bytes, name="data.csv"):
    return client.post(
        reverse(f"admin:{model}_import"),
        {"import_file": SimpleUploadedFile(name, data, "text/csv"), "format": "0"},
    )


def confirm(client, model: str, preview, **extra):
    html = preview.content.decode()
    form = html.split('action="' + reverse(f"admin:{model}_process_import") + '"', 1)[1]
    values = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    return client.post(reverse(f"admin:{model}_process_import"), {**values, **extra}, follow=True)


def can_confirm(preview) -> bool:
    return "process_import" in preview.content.decode() and 'name="confirm"' in (
        preview.content.decode()
    )


def import_samples(client, encoding=""):
    suffix = "-sjis" if encoding else ""
    companies = (SAMPLES / f"companies{suffix}.csv").read_bytes()
    preview = upload(client, "accounts_company", companies)
    assert can_confirm(preview), preview.content.decode()[-3000:]
    confirm(client, "accounts_company", preview)
    cases = (SAMPLES / f"cases{suffix}.csv").read_bytes()
    preview = upload(client, "cases_case", cases)
    assert can_confirm(preview), preview.content.decode()[-3000:]
    return confirm(client, "cases_case", preview)


def test_samples_import_in_utf8(staff):
    import_samples(staff)
    assert Company.objects.filter(vendor_number__in=["A-1001", "B-2002", "C-3003"]).count() == 3
    case = Case.objects.get(number="R7-KE-0102")
    assert case.title == "西部浄化センター電気設備更新工事"
    assert case.category == "construction" and case.procurement_method == "designated"
    assert str(case.opened_on) == "2025-11-19"  # 令和7年11月19日
    assert (str(case.period_start), str(case.period_end)) == ("2025-12-08", "2026-03-13")
    assert case.amount == 12_540_000 and case.advance_payment
    assert case.awarded_company.name == "織姫電気工業 有限会社"
    assert Case.objects.get(number="R7-GY-0103").advance_payment is False
    events = AuditEvent.objects.filter(action__in=["case.imported", "company.imported"])
    assert {e.action: e.payload["created"] for e in events} == {
        "case.imported": 4,
        "company.imported": 3,
    }


def test_excel_shift_jis_files_import(staff):
    import_samples(staff, encoding="cp932")
    assert Company.objects.get(vendor_number="C-3003").representative == "髙橋 三郎"
    assert Case.objects.filter(number__startswith="R7-").count() == 4


def test_importing_again_changes_rows_and_adds_none(staff):
    import_samples(staff)
    text = (SAMPLES / "cases.csv").read_text(encoding="utf-8").replace('"32,780,000"', "33000000")
    preview = upload(staff, "cases_case", text.encode())
    assert can_confirm(preview)
    confirm(staff, "cases_case", preview)
    assert Case.objects.filter(number__startswith="R7-").count() == 4
    assert Case.objects.get(number="R7-KE-0101").amount == 33_000_000


def refused(preview, message):
    html = preview.content.decode()
    assert message in html, html[-4000:]
    assert not can_confirm(preview)


def test_bad_corporate_number(staff):
    data = (
        "業者番号,法人番号,商号,住所,代表者,連絡先メール\n"
        "D-4004,1234567890123,足利舗装 株式会社,栃木県足利市田中町1番地,田中 一郎,\n"
        "D-4005,,小俣土建 株式会社,栃木県足利市小俣町2番地,小俣 二郎,\n"
    ).encode()
    refused(upload(staff, "accounts_company", data), "法人番号のチェックデジットが正しくありません")
    assert not Company.objects.filter(vendor_number__startswith="D-").exists()


def test_unknown_vendor_number(staff):
    data = (
        "案件番号,件名,場所,区分,担当課,契約方法,開札日,落札者の業者番号,落札金額,工期,前払金\n"
        "R7-KE-0201,市道3301号線側溝整備工事,足利市山川町地内,建設工事,土木課,一般競争入札,"
        '2025/11/25,Z-9999,"8,000,000",2025/12/10～2026/3/10,有\n'
    ).encode()
    refused(upload(staff, "cases_case", data), "業者番号「Z-9999」の事業者が登録されていません")
    assert not Case.objects.filter(number="R7-KE-0201").exists()


def test_duplicate_case_number_in_the_file(staff):
    CompanyFactory(vendor_number="A-1001")
    row = (
        "R7-KE-0301,市道4401号線舗装工事,足利市大前町地内,建設工事,土木課,一般競争入札,"
        '2025/11/25,A-1001,"9,900,000",2025/12/10～2026/3/10,有\n'
    )
    data = (
        "案件番号,件名,場所,区分,担当課,契約方法,開札日,落札者の業者番号,落札金額,工期,前払金\n"
        + row
        + row.replace("舗装工事", "舗装工事（２）")
    ).encode()
    refused(
        upload(staff, "cases_case", data),
        "案件番号「R7-KE-0301」がファイルの2行目と重複しています。",
    )
    assert not Case.objects.filter(number="R7-KE-0301").exists()


def test_wrong_header(staff):
    data = (
        "案件No,件名,場所,区分,担当課,契約方法,開札日,落札者,落札金額,工期,前払金\n"
        "R7-KE-0401,市道,足利市,建設工事,土木課,一般競争入札,2025/11/25,A-1001,1000,,無\n"
    ).encode()
    refused(
        upload(staff, "cases_case", data),
        "1行目の見出しが違います（足りない列: 案件番号、落札者の業者番号",
    )
    assert not Case.objects.filter(number="R7-KE-0401").exists()


def test_bad_values_each_named_and_nothing_imported(staff):
    CompanyFactory(vendor_number="A-1001")
    data = (
        "案件番号,件名,場所,区分,担当課,契約方法,開札日,落札者の業者番号,落札金額,工期,前払金\n"
        "R7-KE-0501,市道5501号線舗装工事,足利市大前町地内,建設工事,土木課,一般競争入札,"
        '2025/11/25,A-1001,"9,900,000",2025/12/10～2026/3/10,有\n'
        "R7-KE-0502,市道5502号線舗装工事,足利市大前町地内,土木工事,財政課,競り売り,"
        "2025/13/45,A-1001,九百万,2026/3/10～2025/12/10,たぶん\n"
    ).encode()
    preview = upload(staff, "cases_case", data)
    for message in (
        "区分「土木工事」は使えません",
        "担当課「財政課」が登録されていません",
        "契約方法「競り売り」は使えません",
        "日付「2025/13/45」を読み取れません",
        "金額「九百万」を読み取れません",
        "「たぶん」は「有」か「無」で入力してください",
    ):
        refused(preview, message)
    assert not Case.objects.filter(number__startswith="R7-KE-05").exists()


def test_not_a_csv_is_explained(staff):
    preview = upload(staff, "cases_case", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\x00binary")
    html = preview.content.decode()
    assert any(
        message in html
        for message in ("ファイルの文字コードを読み取れません", "見出しが違います", "NUL 文字")
    )
    assert not can_confirm(preview)


def test_invitations_to_new_companies_on_request(staff, django_capture_on_commit_callbacks):
    CompanyFactory(vendor_number="A-1001", name="足利テスト建設 株式会社")
    preview = upload(staff, "accounts_company", (SAMPLES / "companies.csv").read_bytes())
    assert "新しく登録される事業者に招待メールを送る" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        confirm(staff, "accounts_company", preview, send_invitations="on")
    invited = sorted(Invitation.objects.values_list("email", flat=True))
    assert invited == ["info@orihime-denki.example", "user@watarase-sekkei.example"]  # new ones
    assert sorted(m.to[0] for m in mail.outbox) == invited


def test_no_invitations_unless_asked(staff):
    preview = upload(staff, "accounts_company", (SAMPLES / "companies.csv").read_bytes())
    confirm(staff, "accounts_company", preview)
    assert Company.objects.count() >= 3 and not Invitation.objects.exists()


def test_department_staff_import_only_their_departments_cases(
    client, department_staff, other_department
):
    from django.contrib.auth.models import Permission

    CompanyFactory(vendor_number="A-1001")
    client.force_login(department_staff)
    assert client.get(reverse("admin:cases_case_import")).status_code == 403  # the role: no
    # A department allowed to register cases still imports only its own.
    department_staff.user_permissions.add(Permission.objects.get(codename="add_case"))
    data = (
        "案件番号,件名,場所,区分,担当課,契約方法,開札日,落札者の業者番号,落札金額,工期,前払金\n"
        "R7-KY-0601,第一中学校屋上防水改修工事,足利市通地内,建設工事,教育総務課,一般競争入札,"
        '2025/11/25,A-1001,"6,600,000",2025/12/10～2026/3/10,無\n'
    ).encode()
    response = upload(client, "cases_case", data)
    refused(response, "担当課「教育総務課」の案件は登録できません")
    assert not Case.objects.filter(number="R7-KY-0601").exists()


def test_import_pages_are_japanese(staff):
    from tests.portal.test_admin_language import problems_of

    assert problems_of(staff.get(reverse("admin:cases_case_import")).content.decode()) == []
    CompanyFactory(vendor_number="A-1001")
    preview = upload(staff, "cases_case", (SAMPLES / "cases.csv").read_bytes())
    assert problems_of(preview.content.decode()) == []
    bad = upload(staff, "cases_case", "案件番号\nR7\n".encode())
    assert problems_of(bad.content.decode()) == []
