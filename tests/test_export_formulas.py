"""Every export neutralises formula cells: each CSV the portal writes — every admin export URL
(found in the URL resolver, so a new one is covered without editing this test), the
contractor's ZIP index and the archive export command — is read back, and no text cell starts
with =, +, -, @, tab or CR (spreadsheet formula injection); the hostile values are there,
behind an apostrophe."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import URLResolver, get_resolver, reverse

from tests.factories import CaseFactory, CompanyFactory, StaffFactory, UserFactory, archived

HOSTILE = {
    "=": '=HYPERLINK("http://evil.example","x")',
    "+": "+81-3-0000",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}
STARTS = tuple(HOSTILE)
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def export_url_names() -> list[str]:
    names = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif p.name and p.name.endswith("_export"):
                names.append(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, None)
    return sorted(names)


def cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_neutralised(data: bytes, where: str) -> None:
    found = cells(data)
    bad = [c for c in found if c.startswith(STARTS) and not NUMBER.fullmatch(c)]
    assert not bad, f"{where}: {bad}"
    quoted = [value for value in HOSTILE.values() if any(c == "'" + value for c in found)]
    assert quoted, f"{where}: no hostile value reached the export"


@pytest.fixture
def hostile_world(db, groups, department):
    department.name = HOSTILE["@"]
    department.save()
    company = CompanyFactory(name=HOSTILE["="], vendor_number=HOSTILE["+"][:30])
    contractor = UserFactory(company=company, email="hostile@example.jp")
    contracts = []
    for i, value in enumerate(HOSTILE.values()):
        case = CaseFactory(
            awarded_company=company, department=department, title=value, number=f"{value[:27]}{i}"
        )
        contracts.append(archived(case, contract_date=date(2025, 11, 20), amount=1_000_000))
    from tests.applications.helpers import filed

    filed(
        contracts[0].case, contractor, "schedule", data={"note": HOSTILE["-"]}, with_pdf="schedule"
    )
    return contractor, contracts


@pytest.mark.django_db
def test_every_admin_export_url_neutralises_formulas(client, hostile_world):
    names = export_url_names()
    assert len(names) >= 2, names  # the applications list and the contract archive
    client.force_login(StaffFactory(email="export-root@city.example", is_superuser=True))
    for name in names:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        data = b"".join(response.streaming_content) if response.streaming else response.content
        assert_neutralised(data, name)


@pytest.mark.django_db
def test_the_contractors_zip_index_neutralises_formulas(client, hostile_world):
    contractor, contracts = hostile_world
    client.force_login(contractor)
    response = client.post(reverse("signed_contracts"), {"contract": [c.pk for c in contracts]})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)  # streamed (zipstream-ng)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        csv_names = [n for n in archive.namelist() if n.endswith(".csv")]
        assert csv_names
        for name in csv_names:
            assert_neutralised(archive.read(name), name)


@pytest.mark.django_db
def test_the_archive_export_command_neutralises_formulas(hostile_world, tmp_path):
    output = tmp_path / "archive.zip"
    call_command("export_archive", str(output), stdout=io.StringIO())
    with zipfile.ZipFile(output) as archive:
        csv_names = [n for n in archive.namelist() if n.endswith(".csv")]
        assert csv_names
        for name in csv_names:
            assert_neutralised(archive.read(name), name)
