"""到達番号: issued at 提出, in the order of arrival, per day, with no gap and no duplicate."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections
from django.utils import timezone

from applications import services
from applications.models import Application, ReceiptCounter
from tests.applications.helpers import VALID, filed
from tests.conftest import REQUIRE_SERVICES
from tests.factories import CaseFactory

TOKYO = ZoneInfo("Asia/Tokyo")


def number(application) -> int:
    application.refresh_from_db()
    return int(application.receipt_number.rsplit("-", 1)[1])


@pytest.mark.django_db
def test_numbers_follow_arrival_not_draft_creation(case, contractor):
    first_draft = filed(case, contractor, "econtract", submit=False)
    second_draft = filed(case, contractor, "midterm_choice", submit=False)
    third_draft = filed(case, contractor, "site_agent", submit=False)
    for application in (third_draft, first_draft, second_draft):  # arrival order
        services.application_submit(application=application, user=contractor)
    assert [number(a) for a in (third_draft, first_draft, second_draft)] == [1, 2, 3]
    today = timezone.localdate()
    assert first_draft.receipt_number == f"{today:%Y%m%d}-000002"


@pytest.mark.django_db
def test_a_refused_submission_takes_no_number(case, contractor, section_staff):
    bad = filed(
        case,
        contractor,
        "econtract",
        submit=False,
        data={**VALID["econtract"], "signer_email": "x@"},
    )
    with pytest.raises(services.ApplicationError):
        services.application_submit(application=bad, user=contractor)
    bad.refresh_from_db()
    assert bad.receipt_number is None
    good = filed(case, contractor, "midterm_choice")
    assert number(good) == 1  # no gap left by the refused one
    # 再提出 after 差戻し keeps the number it had.
    services.application_return(application=good, reviewer=section_staff, reason="押印漏れ")
    services.application_submit(application=good, user=contractor)
    assert number(good) == 1 and ReceiptCounter.objects.get().last == 1


@pytest.mark.django_db
def test_each_day_starts_again_at_one(case, contractor, monkeypatch):
    late = dt.datetime(2026, 4, 1, 23, 59, tzinfo=TOKYO)
    monkeypatch.setattr(timezone, "now", lambda: late)
    a = filed(case, contractor, "econtract")
    monkeypatch.setattr(timezone, "now", lambda: late + dt.timedelta(minutes=2))
    b = filed(case, contractor, "midterm_choice")
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.receipt_number == "20260401-000001"
    assert b.receipt_number == "20260402-000001"


@pytest.mark.django_db
def test_numbers_issued_before_the_counter_are_never_reused(case, contractor):
    """The migration starts each day's counter above the numbers the old scheme gave out."""
    from importlib import import_module

    old = filed(case, contractor, "econtract", submit=False)
    today = timezone.localdate()
    Application.objects.filter(pk=old.pk).update(
        status="submitted", receipt_number=f"{today:%Y%m%d}-000013"
    )
    migration = import_module("applications.migrations.0005_receipt_counter")
    migration.carry_over_numbers(django_apps, None)
    new = filed(case, contractor, "midterm_choice")
    assert number(new) == 14


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_get_distinct_gap_free_numbers_in_arrival_order(company, department):
    if connection.vendor != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1: run with DATABASE_URL=postgres://… (concurrent test)")
        pytest.skip("concurrent writers need PostgreSQL (CI runs this with DATABASE_URL)")
    from tests.factories import UserFactory

    users = [UserFactory(company=company, email=f"user{i}@ashikaga-test.example") for i in range(8)]
    applications = []
    for user in users:
        case = CaseFactory(awarded_company=company, department=department)
        applications.append(filed(case, user, "econtract", submit=False))
    barrier = threading.Barrier(len(applications))
    errors = []

    def submit(application, user):
        try:
            barrier.wait(timeout=30)
            services.application_submit(application=application, user=user)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=submit, args=(a, u))
        for a, u in zip(applications, users, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = list(
        Application.objects.order_by("submitted_at", "pk").values_list(
            "receipt_number", "submitted_at"
        )
    )
    numbers = [int(n.rsplit("-", 1)[1]) for n, _ in rows]
    assert sorted(numbers) == list(range(1, len(applications) + 1))  # distinct, no gap
    assert numbers == sorted(numbers)  # 提出日時 order is 到達番号 order
    assert ReceiptCounter.objects.get().last == len(applications)
