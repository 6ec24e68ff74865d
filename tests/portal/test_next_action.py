"""The contractor's next action per case is kept as state (cases.CaseNextAction) by the writes
that move it, so the home page reads one indexed slice: its query count does not grow with the
company's history, and the order it shows is the order computed from scratch."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from applications.models import Application
from cases.models import Case, CaseNextAction
from contracts import services as contract_services
from contracts.models import Contract, Signer, SigningRequest
from portal import todo
from tests.applications.helpers import filed
from tests.contracts.test_sweep_statements import in_flight, remote
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def kept(case) -> tuple[int, dt.date]:
    row = CaseNextAction.objects.get(case=case)
    return row.rank, row.due


def computed(case) -> tuple[int, dt.date]:
    (row,) = todo._rows([case.pk])
    return row.urgency


def test_the_kept_action_follows_every_change(company, department, contractor, section_staff):
    case = CaseFactory(awarded_company=company, department=department)
    assert kept(case) == computed(case) == (todo.MISSING, CaseNextAction.NO_DUE)

    application = filed(case, contractor, "econtract")
    assert kept(case) == computed(case)
    deadline = timezone.localdate() + dt.timedelta(days=3)
    application_services.application_return(
        application=application, reviewer=section_staff, reason="押印", deadline=deadline
    )
    assert kept(case) == computed(case) == (todo.RETURNED, deadline)

    # The sweep's bulk writes: the contractor's turn to sign, then agreed, then concluded.
    (request_,) = in_flight(case, 1)
    Application.objects.filter(pk=application.pk).delete()
    assert kept(case) == computed(case)
    assert kept(case)[0] == todo.TO_SIGN
    contract_services.signing_requests_apply_remote_states(documents=[remote(request_, "agreed")])
    assert kept(case) == computed(case)
    assert kept(case)[0] != todo.TO_SIGN
    contract_services.signing_requests_apply_remote_states(documents=[remote(request_, "rejected")])
    assert kept(case) == computed(case)

    # The case handed to another company: the row follows; a case with no awarded company has none.
    other = CaseFactory(department=department).awarded_company
    case.awarded_company = other
    case.save()
    assert CaseNextAction.objects.get(case=case).company == other
    case.awarded_company = None
    case.save()
    assert not CaseNextAction.objects.filter(case=case).exists()


IMPORT_HEADER = (
    "案件番号,件名,場所,区分,担当課,契約方法,開札日,落札者の業者番号,落札金額,工期,前払金\n"
)


def import_cases(user, lines: list[str], *, dry_run=False):
    from tablib import Dataset

    from cases.resources import CaseResource

    dataset = Dataset().load(IMPORT_HEADER + "".join(lines), format="csv")
    return CaseResource().import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        raise_errors=False,
        user=user,
    )


def test_an_import_refreshes_its_cases_once_at_its_end(
    company, other_company, department, section_staff, monkeypatch
):
    company.vendor_number, other_company.vendor_number = "A-1001", "B-2002"
    company.save()
    other_company.save()
    moved = CaseFactory(number="R8-IM-0000", awarded_company=company, department=department)
    calls: list[list[int]] = []
    real = todo.refresh
    monkeypatch.setattr(todo, "refresh", lambda ids, **kw: (calls.append(list(ids)), real(ids))[1])
    lines = [
        f"R8-IM-{n:04d},市道{n}号線舗装工事,足利市地内,建設工事,土木課,一般競争入札,2026/4/1,"
        f"{'B-2002' if n == 0 else 'A-1001'},1000000,2026/5/1～2026/9/30,有\n"
        for n in range(30)
    ]

    result = import_cases(section_staff, lines, dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert calls == []  # a dry run is rolled back: nothing to refresh
    assert CaseNextAction.objects.get(case=moved).company == company

    result = import_cases(section_staff, lines)
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    # One refresh for the 30 rows (not one per saved case) and every kept row right.
    assert len(calls) == 1 and len(calls[0]) == 30
    assert CaseNextAction.objects.filter(case__number__startswith="R8-IM-").count() == 30
    assert CaseNextAction.objects.get(case=moved).company == other_company
    for case in Case.objects.filter(number__startswith="R8-IM-"):
        assert kept(case) == computed(case)

    # Outside an import, a save still refreshes at once.
    calls.clear()
    moved.awarded_company = company
    moved.save()
    assert calls == [[moved.pk]]
    assert CaseNextAction.objects.get(case=moved).company == company


def test_a_refused_import_leaves_the_kept_rows_as_they_were(company, department, section_staff):
    company.vendor_number = "A-1001"
    company.save()
    lines = [
        "R8-RF-0001,舗装工事,足利市地内,建設工事,土木課,一般競争入札,2026/4/1,A-1001,1000000,"
        "2026/5/1～2026/9/30,有\n",
        "R8-RF-0002,舗装工事,足利市地内,建設工事,土木課,一般競争入札,2026/4/1,Z-9999,1000000,"
        "2026/5/1～2026/9/30,有\n",
    ]
    result = import_cases(section_staff, lines)
    assert result.has_validation_errors()
    assert not Case.objects.filter(number__startswith="R8-RF-").exists()
    assert not CaseNextAction.objects.filter(case__number__startswith="R8-RF-").exists()


def test_a_case_deleted_with_its_filings_leaves_no_row(company, department, contractor):
    case = CaseFactory(awarded_company=company, department=department)
    filed(case, contractor, "econtract")
    Application.objects.filter(case=case).delete()
    Case.objects.filter(pk=case.pk).delete()
    assert not CaseNextAction.objects.filter(case_id=case.pk).exists()


def history(company, department, total: int) -> None:
    """Bring the company up to ``total`` cases (bulk_create, like years of use): every case with
    a filing, every other one returned, every third one with a contract at the contractor's
    turn to sign; then the kept actions filled as the data migration does."""
    have = Case.objects.filter(awarded_company=company).count()
    tz = timezone.get_current_timezone()
    days = range(have, total)
    cases = Case.objects.bulk_create(
        Case(
            number=f"R6-NA-{i:05d}",
            title=f"市道{i}号線道路改良工事",
            place="足利市本城地内",
            category="construction",
            department=department,
            procurement_method="general",
            opened_on=dt.date(2020, 4, 1) + dt.timedelta(days=i),
            awarded_company=company,
            amount=11_000_000 + i,
        )
        for i in days
    )
    Application.objects.bulk_create(
        Application(
            case=case,
            company=company,
            kind="econtract",
            status="returned" if i % 2 else "submitted",
            return_deadline=dt.date(2030, 1, 1) + dt.timedelta(days=i % 7) if i % 2 else None,
            receipt_number=f"NA-{i:08d}",
            submitted_at=dt.datetime(2024, 4, 1, 10, tzinfo=tz),
            revision=1,
        )
        for i, case in zip(days, cases, strict=True)
    )
    contracts = Contract.objects.bulk_create(
        Contract(case=case, title=case.title, amount=case.amount, status="signing")
        for i, case in zip(days, cases, strict=True)
        if i % 3 == 0
    )
    requests_ = SigningRequest.objects.bulk_create(
        SigningRequest(
            contract=c, document_id=str(uuid.uuid4()), status="waiting", sent_at=timezone.now()
        )
        for c in contracts
    )
    Signer.objects.bulk_create(
        Signer(
            signing_request=r,
            order=1,
            role="contractor",
            name="足利 太郎",
            email=f"signer-{r.pk}@example.jp",
            state="waiting",
            link_expires_at=timezone.now() + dt.timedelta(days=r.pk % 9),
        )
        for r in requests_
    )
    todo.refresh_all()


def home_queries(client) -> tuple[int, list[str]]:
    client.get(reverse("home"))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("home")).content.decode()
    titles = [part.split("</a></h2>")[0].rsplit(">", 1)[1] for part in page.split("<h2>")[1:]]
    return len(queries), titles


def test_home_queries_do_not_grow_from_10_to_100_cases_of_history(
    client, company, department, contractor
):
    client.force_login(contractor)
    history(company, department, 10)
    few, _ = home_queries(client)
    history(company, department, 100)
    many, titles = home_queries(client)
    assert many == few <= 12
    # The kept order is the order computed from scratch over the whole history.
    assert titles == [row.case.title for row in todo.case_rows(contractor)[: todo.PAGE_SIZE]]
    assert len(titles) == todo.PAGE_SIZE
