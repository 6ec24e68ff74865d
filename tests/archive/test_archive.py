"""The archive: every search condition and their combinations, CSV, ZIP, dashboard, append-only."""

import csv
import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import Contract, ContractCorrection
from portal import archive
from tests.factories import archived

ARCHIVE = "admin:contracts_contract_archive"


def found(client, **params) -> list[str]:
    response = client.get(reverse(ARCHIVE), {"status": "", **params})
    assert response.status_code == 200
    return sorted(c.title for c, _ in response.context["rows"])


@pytest.fixture
def staff(client, section_staff):
    client.force_login(section_staff)
    return client


@pytest.mark.django_db
def test_each_condition(staff, dataset, department):
    everything = found(staff)
    assert len(everything) == 6
    assert found(staff, date_from="2025-06-01", date_to="2025-12-31") == [
        "小学校改修工事",
        "小学校改修工事",
        "橋梁設計業務委託",
    ]
    assert found(staff, amount_min=11_000_000, amount_max=55_000_000) == [
        "小学校改修工事",
        "市道改良工事",
    ]
    # tax-exclusive: 55M incl. = 50M excl.; 11M incl. = 10M excl.
    assert found(staff, amount_min=10_000_001, amount_basis="excl") == [
        "市道改良工事",
        "市道改良工事（第1回変更）",
    ]
    assert found(staff, counterparty="渡良瀬") == ["橋梁設計業務委託"]
    assert found(staff, counterparty="５８３５６７８２５６２４６") == [
        "橋梁設計業務委託"
    ]  # 法人番号
    assert found(staff, counterparty="b-2002") == ["橋梁設計業務委託"]  # 業者番号
    assert found(staff, keyword="R7-KE-0102") == ["小学校改修工事", "小学校改修工事"]
    assert found(staff, keyword="変更") == ["市道改良工事（第1回変更）"]
    assert found(staff, category="construction_service") == ["橋梁設計業務委託"]
    assert found(staff, department=department.pk) == [
        "前年度の工事",
        "市道改良工事",
        "市道改良工事（第1回変更）",
        "橋梁設計業務委託",
    ]
    assert found(staff, status="rejected") == ["小学校改修工事"]
    assert found(staff, kind="change") == ["市道改良工事（第1回変更）"]


@pytest.mark.django_db
def test_conditions_combine_with_and(staff, dataset, company, department):
    assert found(
        staff,
        date_from="2025-04-01",
        date_to="2026-03-31",
        amount_min=5_000_000,
        counterparty=company.name,
        department=department.pk,
        status="concluded",
    ) == ["市道改良工事", "市道改良工事（第1回変更）"]
    assert found(staff, counterparty=company.name, category="construction_service") == []


@pytest.mark.django_db
def test_default_is_concluded_and_sorting(staff, dataset):
    response = staff.get(reverse(ARCHIVE))
    assert len(response.context["rows"]) == 5  # the rejected one is not shown by default
    response = staff.get(reverse(ARCHIVE), {"status": "concluded", "sort": "amount"})
    amounts = [c.amount for c, _ in response.context["rows"]]
    assert amounts == sorted(amounts)


@pytest.mark.django_db
def test_bad_ranges_are_explained(staff, dataset):
    response = staff.get(reverse(ARCHIVE), {"date_from": "2026-01-01", "date_to": "2025-01-01"})
    assert "契約日の範囲が逆になっています。" in response.content.decode()


@pytest.mark.django_db
def test_rows_show_documents_and_links(staff, dataset):
    page = staff.get(reverse(ARCHIVE), {"keyword": "R7-GY-0201"}).content.decode()
    c = dataset["c"]
    signed = c.signing_requests.get().documents.get(kind="signed")
    assert signed.sha256 in page and "有効" in page
    assert reverse("signed_document", args=[c.pk, signed.pk]) in page
    assert reverse("admin:cases_case_change", args=[c.case_id]) in page
    assert "令和7年12月15日" in page


@pytest.mark.django_db
def test_archive_page_queries_do_not_grow(staff, dataset, company, department):
    from tests.factories import CaseFactory

    staff.get(reverse(ARCHIVE), {"status": "concluded"})  # warm the session cache
    with CaptureQueriesContext(connection) as few:
        staff.get(reverse(ARCHIVE), {"status": "concluded"})
    case = CaseFactory(awarded_company=company, department=department)
    for i in range(30):
        archived(
            case, contract_date=dt.date(2025, 7, 1) + dt.timedelta(days=i), amount=1_000_000 + i
        )
    with CaptureQueriesContext(connection) as many:
        response = staff.get(reverse(ARCHIVE), {"status": "concluded"})
    assert len(response.context["rows"]) == 35
    assert len(many) == len(few) <= 12, [q["sql"][:90] for q in many]


@pytest.mark.django_db
def test_csv_parses_back(staff, dataset):
    response = staff.get(
        reverse("admin:contracts_contract_archive_export"), {"status": "concluded"}
    )
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 5
    row = next(r for r in rows if r["案件番号"] == "R7-GY-0201")
    assert row["契約日"] == "2025-12-15" and row["契約日（和暦）"] == "令和7年12月15日"
    assert row["契約金額（税込）"] == "6600000" and row["契約金額（税抜）"] == "6000000"
    assert row["取引先"] == "渡良瀬設計 株式会社" and row["法人番号"] == "5835678256246"
    signed = dataset["c"].signing_requests.get().documents.get(kind="signed")
    assert row["SHA-256"] == signed.sha256 and row["電子署名"] == "有効"
    assert row["印紙税相当額"] == "10000"  # 設計業務: 本則, 6,000,000円 → 10,000円
    # the basis beside the amount (issue 25)
    assert row["印紙税の根拠"].startswith("請負・第2号文書・本則・記載金額 6,000,000円（税抜）")


@pytest.mark.django_db
def test_department_staff_see_only_their_department(client, department_staff, dataset):
    client.force_login(department_staff)
    titles = found(client)
    assert "小学校改修工事" not in titles and "市道改良工事" in titles


@pytest.mark.django_db
def test_contractor_zip_index_matches_files(client, contractor, dataset, other_contractor):
    client.force_login(contractor)
    page = client.get(reverse("signed_contracts"))
    titles = sorted(c.title for c, _ in page.context["rows"])
    assert titles == ["前年度の工事", "小学校改修工事", "市道改良工事", "市道改良工事（第1回変更）"]
    filtered = client.get(
        reverse("signed_contracts"), {"amount_min": 10_000_000, "date_from": "2025-04-01"}
    )
    assert len(filtered.context["rows"]) == 3
    a, d = dataset["a"], dataset["d"]
    response = client.post(reverse("signed_contracts"), {"contract": [a.pk, d.pk, dataset["c"].pk]})
    assert response["Content-Type"] == "application/zip"
    archive_file = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    index = list(csv.DictReader(io.StringIO(archive_file.read("index.csv").decode("utf-8-sig"))))
    assert len(index) == 4  # 2 contracts x (signed + certificate); the other company's is ignored
    for row in index:
        assert hashlib.sha256(archive_file.read(row["ファイル名"])).hexdigest() == row["SHA-256"]
        assert row["取引先"] == "足利市"
    assert {row["取引年月日"] for row in index} == {"2025-05-10", "2026-02-01"}
    assert {row["取引金額"] for row in index} == {"55000000", "66000000"}
    empty = client.post(reverse("signed_contracts"), {"contract": [dataset["c"].pk]}, follow=True)
    assert "ダウンロードする契約を選んでください。" in empty.content.decode()


@pytest.mark.django_db
def test_dashboard_figures(dataset, company, department):
    from cases.models import Case

    figures = archive.dashboard(year=2025, cases=Case.objects.all())
    assert figures.concluded == 4  # a, b, c, d in 2025年度 (e is 2024)
    assert figures.rejected == 1 and figures.canceled == 0
    assert figures.sent == 5
    assert figures.median_days == 3.0
    # stamp duty saved: a 50M excl → 10,000; b 10M → 5,000; c design 6M → 10,000 (本則);
    # d change: increase 10M excl → 5,000
    assert figures.stamp_duty_saved == 30_000
    assert dict(figures.monthly)["5月"] == 1 and dict(figures.monthly)["2月"] == 1
    only = archive.dashboard(year=2025, cases=Case.objects.filter(department=department))
    assert only.concluded == 3 and only.stamp_duty_saved == 25_000


@pytest.mark.django_db
def test_dashboard_page_links_to_the_lists(staff, dataset):
    page = staff.get(reverse("admin:contracts_contract_dashboard"), {"year": 2025})
    text = page.content.decode()
    assert page.status_code == 200 and "30,000円" in text and "<svg" in text
    links = page.context["links"]
    listing = staff.get(links["concluded"])
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 4


@pytest.mark.django_db
def test_nothing_in_the_archive_can_be_deleted_or_changed(staff, dataset, admin_client):
    a = dataset["a"]
    change = reverse("admin:contracts_contract_change", args=[a.pk])
    page = staff.get(change).content.decode()
    assert 'name="title"' not in page and 'name="amount"' not in page
    assert (
        staff.post(
            reverse("admin:contracts_contract_delete", args=[a.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    with pytest.raises(ValidationError) as exc_info:
        a.delete()
    assert "保存期間" in exc_info.value.messages[0]
    document = a.signing_requests.get().documents.first()
    assert (
        admin_client.post(
            reverse("admin:contracts_signeddocument_delete", args=[document.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Contract.objects.filter(pk=a.pk).exists()
    assert a.retention_until == a.period_end.replace(year=a.period_end.year + 10)


@pytest.mark.django_db
def test_a_correction_is_a_new_record(dataset, section_staff):
    a = dataset["a"]
    correction = ContractCorrection.objects.create(
        contract=a,
        field="contract_date",
        old_value="2025-05-10",
        new_value="2025-05-09",
        reason="契約日の登録誤り",
        created_by=section_staff,
    )
    correction.new_value = "改ざん"
    with pytest.raises(ValidationError):
        correction.save()
    with pytest.raises(ValidationError):
        correction.delete()
    a.refresh_from_db()
    assert a.contract_date == dt.date(2025, 5, 10)  # the record itself is untouched


@pytest.mark.django_db
def test_export_archive_writes_every_signed_file_with_a_manifest(dataset, tmp_path):
    import json as jsonlib

    from django.core.management import CommandError, call_command

    output = tmp_path / "archive.zip"
    call_command("export_archive", str(output))
    with zipfile.ZipFile(output) as z:
        manifest = jsonlib.loads(z.read("manifest.json"))
        assert len(manifest["files"]) == 10  # 5 concluded contracts x (signed + certificate)
        for entry in manifest["files"]:
            assert hashlib.sha256(z.read(entry["file"])).hexdigest() == entry["sha256"]
        rows = list(csv.DictReader(io.StringIO(z.read("manifest.csv").decode("utf-8-sig"))))
        assert len(rows) == 10
    with pytest.raises(CommandError):
        call_command("export_archive", str(output))  # never overwrites


@pytest.mark.django_db
def test_contract_page_shows_the_stamp_duty_with_its_basis(staff, dataset):
    """Issue 25: the basis beside the amount, on the contract's admin page."""
    response = staff.get(reverse("admin:contracts_contract_change", args=[dataset["c"].pk]))
    page = response.content.decode()
    assert "印紙税相当額と根拠" in page
    assert "10,000円 — 請負・第2号文書・本則・記載金額 6,000,000円（税抜）" in page
