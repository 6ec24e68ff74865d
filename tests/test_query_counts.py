"""Every list page and export issues the same number of queries for a few rows as for many.

Each page is read once with FEW rows of everything (cases, applications, contracts with their
signing requests, signers and signed documents, guarantees, audit events, companies, users), then
with MANY; the counts must be equal (an N+1 shows as a difference of MANY - FEW, or a multiple).
Bench numbers at ten years of data are in bench/scale.py.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Company, User
from applications.models import Application
from cases.models import Case
from contracts.models import Contract, SignedDocument, Signer, SigningRequest
from core.models import AuditEvent, StoredFile
from surety.models import SuretyCertificate

pytestmark = pytest.mark.django_db
# Both within one page of every list (100 rows), far enough apart that one query per row shows.
FEW, MANY = 4, 24


def grow(total: int, *, company: Company, department) -> None:
    """Bring every table up to ``total`` rows of the company (bulk, like years of use)."""
    have = Case.objects.filter(awarded_company=company).count()
    tz = timezone.get_current_timezone()
    for i in range(have, total):
        day = dt.date(2024, 4, 1) + dt.timedelta(days=i)
        at = dt.datetime.combine(day, dt.time(10), tzinfo=tz)
        case = Case.objects.create(
            number=f"R6-QC-{i:04d}",
            title=f"市道{i}号線道路改良工事",
            place="足利市本城地内",
            category="construction",
            department=department,
            procurement_method="general",
            opened_on=day,
            awarded_company=company,
            amount=11_000_000 + i,
            period_start=day,
            period_end=day + dt.timedelta(days=90),
        )
        Application.objects.create(
            case=case,
            company=company,
            kind="econtract",
            status="submitted",
            receipt_number=f"{day:%Y%m%d}-{i:06d}",
            submitted_at=at,
            revision=1,
        )
        first = Contract.objects.create(
            case=case,
            title=case.title,
            amount=11_000_000,
            tax_amount=1_000_000,
            contract_date=day,
            status="concluded",
        )
        change = Contract.objects.create(
            case=case,
            kind="change",
            original=first,
            title=f"{case.title}（第1回変更）",
            amount=12_100_000,
            tax_amount=1_100_000,
            contract_date=day + dt.timedelta(days=30),
            status="concluded",
        )
        for contract in (first, change):
            request_ = SigningRequest.objects.create(
                contract=contract,
                document_id=str(uuid.uuid4()),
                status="concluded",
                sent_at=at,
                concluded_at=at,
                stored_at=at,
            )
            Signer.objects.bulk_create(
                Signer(
                    signing_request=request_,
                    order=order,
                    role=role,
                    name="足利 太郎",
                    email=f"{role}{contract.pk}@example.jp",
                    state="agreed",
                )
                for order, role in ((1, "contractor"), (2, "city"))
            )
            for kind in ("signed", "certificate"):
                stored = StoredFile.objects.create(
                    kind=kind,
                    file=f"{kind}/2025/01/{uuid.uuid4()}.pdf",
                    original_name=f"{kind}-{contract.pk}.pdf",
                    size=1000,
                    sha256=uuid.uuid4().hex * 2,
                    page_count=1,
                    company=company,
                    created_at=at,
                )
                SignedDocument.objects.create(
                    signing_request=request_,
                    kind=kind,
                    remote_file_id=str(uuid.uuid4()),
                    stored_file=stored,
                    sha256=stored.sha256,
                    size=1000,
                    page_count=1,
                    signature_status="valid",
                )
        SuretyCertificate.objects.create(
            case=case,
            product="performance",
            form="electronic",
            guarantee_number=f"{10000 + i}-AB{i:04d}",
            issuer="東日本建設業保証株式会社",
            auth_key="ABCDEFGHIJKLMNOP",
        )
        AuditEvent.objects.create(
            action="contract.sent",
            actor_label="keiyaku@city.example",
            target_type="contracts.contract",
            target_id=str(first.pk),
            target_repr=str(first),
        )
        other = Company.objects.create(
            name=f"両毛工業{i} 株式会社",
            address="足利市",
            representative="代表",
            vendor_number=f"QC-{i:04d}",
        )
        User.objects.create_user(f"qc{i}@example.jp", company=other)


ADMIN_PAGES = [
    ("admin:applications_application_changelist", {}),
    ("admin:applications_application_changelist", {"q": "足利テスト"}),
    ("admin:applications_application_changelist", {"status__exact": "submitted"}),
    ("admin:applications_application_export", {"status__exact": "submitted"}),
    ("admin:cases_case_changelist", {}),
    ("admin:cases_case_changelist", {"q": "道路改良"}),
    ("admin:contracts_contract_changelist", {}),
    ("admin:contracts_contract_changelist", {"q": "足利テスト"}),
    ("admin:contracts_signingrequest_changelist", {}),
    ("admin:contracts_signingrequest_changelist", {"q": "R6-QC"}),
    ("admin:contracts_signeddocument_changelist", {}),
    ("admin:surety_suretycertificate_changelist", {}),
    ("admin:surety_suretycertificate_changelist", {"q": "AB0"}),
    ("admin:core_auditevent_changelist", {}),
    ("admin:core_auditevent_changelist", {"action_group": "contract", "q": "道路改良"}),
    ("admin:core_storedfile_changelist", {}),
    ("admin:accounts_company_changelist", {"q": "両毛工業"}),
    ("admin:accounts_user_changelist", {}),
    ("admin:contracts_contract_archive", {}),
    ("admin:contracts_contract_archive", {"counterparty": "足利テスト", "keyword": "R6-QC"}),
    ("admin:contracts_contract_archive_export", {"status": "concluded"}),
    ("admin:contracts_contract_dashboard", {"year": "2024"}),
]
CONTRACTOR_PAGES = [
    ("home", {}),
    ("contract_list", {}),
    ("signed_contracts", {}),
    ("signed_contracts", {"keyword": "道路"}),
]


def count(client, url: str, params: dict) -> tuple[int, bytes]:
    client.get(url, params)  # warm (sessions, content types, permissions)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), body


def counts_at_few_and_many(client, pages, *, company, department) -> dict:
    """Every page's query count with FEW rows and with MANY (the rows are built once for all
    the pages: building them is most of the cost)."""
    grow(FEW, company=company, department=department)
    few = {(name, str(params)): count(client, reverse(name), params) for name, params in pages}
    grow(MANY, company=company, department=department)
    many = {(name, str(params)): count(client, reverse(name), params) for name, params in pages}
    return {page: (few[page], many[page]) for page in few}


def test_staff_list_and_export_queries_do_not_grow(admin_client, company, department):
    pages = counts_at_few_and_many(
        admin_client, ADMIN_PAGES, company=company, department=department
    )
    # the page did show more rows
    assert [
        page for page, ((_, small), (_, large)) in pages.items() if len(large) <= len(small)
    ] == []
    grew = {page: (few, many) for page, ((few, _), (many, _)) in pages.items() if many != few}
    assert grew == {}, f"pages whose queries grew with the rows (few, many): {grew}"


def test_contractor_list_queries_do_not_grow(client, contractor, department):
    client.force_login(contractor)
    pages = counts_at_few_and_many(
        client, CONTRACTOR_PAGES, company=contractor.company, department=department
    )
    grew = {page: (few, many) for page, ((few, _), (many, _)) in pages.items() if many != few}
    assert grew == {}, f"pages whose queries grew with the rows (few, many): {grew}"
