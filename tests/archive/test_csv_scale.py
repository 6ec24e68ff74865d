"""The archive CSV reads the same number of queries for 100 rows as for 10,000, and every row
carries its own contract's signed files whatever the sort (the files are read as a second
stream in the contracts' order and merged)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from contracts.models import Contract, SignedDocument, SigningRequest
from core.models import StoredFile
from portal.archive import SORTS

pytestmark = pytest.mark.django_db


def concluded(company, department, total: int) -> None:
    """Bring the archive up to ``total`` concluded contracts (bulk_create), each with its signed
    PDF and 合意締結証明書; every fifth without files (stored elsewhere), some dates missing."""
    have = Contract.objects.count()
    rows = range(have, total)
    cases = Case.objects.bulk_create(
        Case(
            number=f"R6-CSV-{i:05d}",
            title=f"市道{i}号線道路改良工事",
            place="足利市本城地内",
            category="construction",
            department=department,
            procurement_method="general",
            awarded_company=company,
            amount=11_000_000 + i,
        )
        for i in rows
    )
    contracts = Contract.objects.bulk_create(
        Contract(
            case=case,
            title=case.title,
            # Ties in amount and date: the merge must follow the full order.
            amount=11_000_000 + (i % 37) * 1000,
            tax_amount=1_000_000,
            contract_date=None if i % 11 == 0 else dt.date(2024, 4, 1) + dt.timedelta(i % 50),
            status="concluded",
        )
        for i, case in zip(rows, cases, strict=True)
    )
    requests_ = SigningRequest.objects.bulk_create(
        SigningRequest(contract=c, document_id=f"csv-{c.pk}", status="concluded")
        for c in contracts
        if c.pk % 5
    )
    stored = StoredFile.objects.bulk_create(
        StoredFile(
            kind=kind,
            file=f"{kind}/2025/01/{r.contract_id}.pdf",
            original_name=f"{kind}-{r.contract_id}.pdf",
            size=1000,
            sha256=f"{kind[0]}{r.contract_id:063d}",
            page_count=1,
            company=company,
            created_at=timezone.now(),
        )
        for r in requests_
        for kind in ("signed", "certificate")
    )
    SignedDocument.objects.bulk_create(
        SignedDocument(
            signing_request=r,
            kind=f.kind,
            remote_file_id=f"{f.kind}-{r.pk}",
            stored_file=f,
            sha256=f.sha256,
            size=1000,
            page_count=1,
            signature_status="valid",
        )
        for r, pair in zip(requests_, zip(stored[::2], stored[1::2], strict=True), strict=True)
        for f in pair
    )


def export(client, params: dict) -> tuple[int, list[list[str]]]:
    url = reverse("admin:contracts_contract_archive_export")
    # warm right before (sessions touched after a while, content types): an export of nothing
    client.get(url, {**params, "keyword": "該当のない件名"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        body = b"".join(response.streaming_content).decode("utf-8")
    assert response.status_code == 200
    return len(queries), list(csv.reader(io.StringIO(body)))[1:]


@pytest.mark.slow
def test_csv_queries_do_not_grow_from_100_to_10000_rows(admin_client, company, department):
    concluded(company, department, 100)
    few, small = export(admin_client, {"status": "concluded"})
    concluded(company, department, 10_000)
    many, large = export(admin_client, {"status": "concluded"})
    assert (len(small), len(large)) == (100, 10_000)
    assert many == few


@pytest.mark.parametrize("sort", list(SORTS))
def test_every_row_carries_its_own_files_in_every_order(admin_client, company, department, sort):
    concluded(company, department, 600)  # more than one chunk
    _, rows = export(admin_client, {"status": "concluded", "sort": sort})
    assert len(rows) == 600
    numbers = {c.case.number: c.pk for c in Contract.objects.select_related("case")}
    for row in rows:
        pk = numbers[row[0]]
        if pk % 5:
            assert row[14] == f"s{pk:063d}" and row[16] == f"c{pk:063d}", row
            assert row[13] == f"signed-{pk}.pdf"
        else:
            assert row[13] == row[14] == row[16] == ""
