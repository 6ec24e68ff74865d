"""案件の取込み within the importer's scope, within limits, and as people write their files: every
row (new or an update) checked against the importer's department and rights; sizes and rows
refused before parsing; extra columns ignored and named; names kept as written. Every refusal is a
Japanese message and leaves the database as it was."""

import re
from datetime import date

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.urls import reverse

from cases.models import Case
from cases.resources import CaseResource
from core.models import AuditEvent
from tests.cases.test_import import SAMPLES, can_confirm, confirm, refused, upload
from tests.factories import CaseFactory, CompanyFactory

HEADER = "案件番号,件名,場所,区分,担当課,契約方法,開札日,落札者の業者番号,落札金額,工期,前払金\n"


def row(number, title="市道9901号線舗装工事", department="土木課", vendor="A-1001"):
    return (
        f"{number},{title},足利市大前町地内,建設工事,{department},一般競争入札,"
        f'2025/11/25,{vendor},"9,900,000",2025/12/10～2026/3/10,有\n'
    )


@pytest.fixture
def importer(client, department_staff):
    """A 担当課 (土木課) user allowed to register and change cases."""
    department_staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_case", "change_case"])
    )
    CompanyFactory(vendor_number="A-1001", name="足利テスト建設 株式会社")
    client.force_login(department_staff)
    return client


@pytest.fixture
def others_case(other_department, other_company):
    return CaseFactory(
        number="R7-KY-0700",
        title="第二中学校体育館改修工事",
        department=other_department,
        awarded_company=other_company,
    )


def assert_unchanged(case):
    before = (case.title, case.awarded_company_id, case.department_id, case.amount)
    case.refresh_from_db()
    assert (case.title, case.awarded_company_id, case.department_id, case.amount) == before


def test_another_departments_case_is_not_taken_over(importer, others_case):
    data = (HEADER + row("R7-KY-0700", title="乗っ取り工事")).encode()
    refused(
        upload(importer, "cases_case", data),
        "案件番号「R7-KY-0700」は他の課の案件のため変更できません（所属課の案件のみ）。",
    )
    assert_unchanged(others_case)


def test_another_departments_case_is_refused_on_the_import_itself(
    department_staff, others_case, importer
):
    """The check is in the resource, not only in the preview: the import that writes refuses the
    row too (and rolls back the rows before it)."""
    dataset = tablib.Dataset().load(
        HEADER
        + row("R7-DB-0701", title="自課の新規工事")
        + row("R7-KY-0700", title="乗っ取り工事"),
        format="csv",
    )
    result = CaseResource().import_data(
        dataset,
        dry_run=False,
        raise_errors=False,
        rollback_on_validation_errors=True,
        user=department_staff,
    )
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert "他の課の案件のため変更できません" in str(invalid.error_dict)
    assert_unchanged(others_case)
    assert not Case.objects.filter(number="R7-DB-0701").exists()


def test_update_needs_the_change_right(client, department_staff, department):
    department_staff.user_permissions.add(Permission.objects.get(codename="add_case"))
    CompanyFactory(vendor_number="A-1001")
    own = CaseFactory(number="R7-DB-0800", department=department, title="元の工事名")
    client.force_login(department_staff)
    refused(
        upload(client, "cases_case", (HEADER + row("R7-DB-0800", title="新しい工事名")).encode()),
        "案件番号「R7-DB-0800」は登録済みです。案件を変更する権限がないため更新できません。",
    )
    assert_unchanged(own)


def test_own_case_cannot_be_moved_to_another_department(importer, department, other_department):
    own = CaseFactory(number="R7-DB-0900", department=department)
    data = (HEADER + row("R7-DB-0900", department="教育総務課")).encode()
    refused(upload(importer, "cases_case", data), "担当課「教育総務課」の案件は登録できません")
    assert_unchanged(own)


def test_own_case_is_updated(importer, department):
    own = CaseFactory(number="R7-DB-1000", department=department, title="元の工事名")
    preview = upload(importer, "cases_case", (HEADER + row("R7-DB-1000", title="新")).encode())
    assert can_confirm(preview), preview.content.decode()[-3000:]
    confirm(importer, "cases_case", preview)
    own.refresh_from_db()
    assert own.title == "新"


# --- limits, checked on the bytes before any parsing -----------------------------------------


def test_file_over_the_byte_limit_is_refused(importer, settings):
    settings.IMPORT_MAX_BYTES = 2_000
    data = (HEADER + "".join(row(f"R7-DB-{n:04d}") for n in range(40))).encode()
    assert len(data) > 2_000
    refused(upload(importer, "cases_case", data), "ファイルが大きすぎます")
    assert not Case.objects.exists()


def test_file_over_the_row_limit_is_refused(importer, settings):
    settings.IMPORT_MAX_ROWS = 10
    data = (HEADER + "".join(row(f"R7-DB-{n:04d}") for n in range(11))).encode()
    refused(
        upload(importer, "cases_case", data),
        "行数が上限を超えています（11行。一度に取り込めるのは10行まで）",
    )
    assert not Case.objects.exists()


def test_company_import_has_its_own_row_limit(client, section_staff, settings):
    settings.IMPORT_SYNC_MAX_ROWS = 2
    client.force_login(section_staff)
    data = (SAMPLES / "companies.csv").read_bytes()  # 3 rows
    refused(upload(client, "accounts_company", data), "一度に取り込めるのは2行まで")


def test_nul_byte_is_a_japanese_message(importer):
    data = (HEADER + row("R7-DB-1100") + row("R7-DB-1101", title="市道\x00工事")).encode()
    refused(upload(importer, "cases_case", data), "3行目に NUL 文字（0x00）があります。")
    assert not Case.objects.exists()


def test_empty_file(importer):
    refused(upload(importer, "cases_case", b""), "ファイル")  # Django's own: 空のファイル
    refused(upload(importer, "cases_case", b" \n"), "ファイルが空です。")
    assert not Case.objects.exists()


# --- files as they come ---------------------------------------------------------------------


def test_extra_column_is_ignored_and_named(importer):
    header = HEADER.rstrip("\n") + ",備考\n"
    data = (header + row("R7-DB-1200").rstrip("\n") + ",現場説明会あり\n").encode()
    preview = upload(importer, "cases_case", data)
    assert "次の列は取り込みません（無視します）: 備考" in preview.content.decode()
    assert can_confirm(preview)
    confirm(importer, "cases_case", preview)
    assert Case.objects.filter(number="R7-DB-1200").exists()


def test_names_kept_as_written_in_cp932(importer):
    title = "㈱足利ビル解体工事（その２）"
    data = (HEADER + row("R7-DB-1300", title=title)).encode("cp932")
    preview = upload(importer, "cases_case", data)
    assert title in preview.content.decode()
    assert can_confirm(preview)
    done = confirm(importer, "cases_case", preview)
    assert Case.objects.get(number="R7-DB-1300").title == title
    assert "案件を取り込みました（新規 1件、更新 0件）。" in done.content.decode()


def test_preview_shows_the_period_and_success_is_japanese(client, section_staff):
    client.force_login(section_staff)
    CompanyFactory(vendor_number="A-1001")
    CompanyFactory(vendor_number="B-2002")
    CompanyFactory(vendor_number="C-3003")
    preview = upload(client, "cases_case", (SAMPLES / "cases.csv").read_bytes())
    assert "2025/12/08～2026/03/13" in preview.content.decode()  # 工期 of R7-KE-0102
    done = confirm(client, "cases_case", preview)
    html = done.content.decode()
    assert "案件を取り込みました（新規 4件、更新 0件）。" in html
    assert "Import finished" not in html
    assert Case.objects.get(number="R7-KE-0102").period_end == date(2026, 3, 13)


def test_import_is_audited_with_the_client_address(client, section_staff):
    client.force_login(section_staff)
    CompanyFactory(vendor_number="A-1001")
    preview = upload(client, "cases_case", (HEADER + row("R7-DB-1400")).encode())
    html = preview.content.decode()
    form = html.split('action="' + reverse("admin:cases_case_process_import") + '"', 1)[1]
    values = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    client.post(reverse("admin:cases_case_process_import"), values, REMOTE_ADDR="192.0.2.7")
    event = AuditEvent.objects.get(action="case.imported")
    assert event.ip_address == "192.0.2.7"
    assert event.payload["created"] == 1


def test_company_names_kept_as_written(client, section_staff):
    from accounts.models import Company

    client.force_login(section_staff)
    data = (
        "業者番号,法人番号,商号,住所,代表者,連絡先メール,備考\n"
        "E-5005,,㈱足利（その２）設備,栃木県足利市田中町1番地,田中　一郎,,指名停止なし\n"
    ).encode("cp932")
    preview = upload(client, "accounts_company", data)
    assert "次の列は取り込みません（無視します）: 備考" in preview.content.decode()
    assert can_confirm(preview), preview.content.decode()[-3000:]
    confirm(client, "accounts_company", preview)
    company = Company.objects.get(vendor_number="E-5005")
    assert (company.name, company.representative) == ("㈱足利（その２）設備", "田中 一郎")


def test_confirm_without_its_file_is_a_japanese_message(importer):
    response = importer.post(
        reverse("admin:cases_case_process_import"),
        {
            "import_file_name": "no-such-file",
            "original_file_name": "kaisatsu.csv",
            "format": "0",
            "resource": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "確認したファイルが見つかりません" in response.content.decode()
    assert not Case.objects.exists()
