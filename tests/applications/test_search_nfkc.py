"""Issue 23 item 11: the 申請 list finds part of a 工事名 or of a 到達番号, NFKC on both sides —
what is typed and what is stored — while names stay stored as written."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Company
from applications.models import Application
from cases.models import Case
from tests.applications.helpers import filed

pytestmark = pytest.mark.django_db

URL = "admin:applications_application_changelist"
TITLE = "足利市総合体育館（その２）改修工事"  # full-width brackets and digit, as the city writes it
NUMBER = "20251201-000008"


@pytest.fixture
def application(case, contractor):
    Case.objects.filter(pk=case.pk).update(title=TITLE)
    Company.objects.filter(pk=contractor.company_id).update(name="㈱足利建設")
    filing = filed(case, contractor)
    Application.objects.filter(pk=filing.pk).update(receipt_number=NUMBER)
    return filing


def found(client, term: str) -> list[int]:
    response = client.get(reverse(URL), {"q": term})
    assert response.status_code == 200
    return [a.pk for a in response.context["cl"].result_list]


@pytest.mark.parametrize(
    "term",
    [
        "体育館",  # part of the 工事名
        "その2",  # ASCII against the stored full-width 「（その２）」
        "（その２）",  # as written
        "(その2)",
        "000008",  # part of the 到達番号
        "０００００８",  # full-width digits
        "1201-0000",
        "(株)足利",  # ㈱ is stored; (株) is typed
        "体育館 ０００００８",  # words combine with AND
    ],
)
def test_part_of_title_or_number_is_found(client, section_staff, application, term):
    client.force_login(section_staff)
    assert found(client, term) == [application.pk]


@pytest.mark.parametrize("term", ["図書館", "000009", "体育館 000009", "その3"])
def test_a_term_that_matches_nothing_finds_nothing(client, section_staff, application, term):
    client.force_login(section_staff)
    assert found(client, term) == []


def test_names_stay_stored_as_written(client, section_staff, application):
    client.force_login(section_staff)
    found(client, "その2")
    application.refresh_from_db()
    assert application.case.title == TITLE
    assert application.company.name == "㈱足利建設"


def test_the_nfkc_lookup_is_only_for_matching(application):
    """The transform on its own, on either database."""
    assert Case.objects.filter(title__nfkc__icontains="(その2)").count() == 1
    assert Case.objects.filter(title__icontains="(その2)").count() == 0  # plain: as stored
    assert Application.objects.filter(receipt_number__nfkc="20251201-000008").count() == 1


NFKC_INDEXES = {
    "application_receipt_nfkc_trgm",
    "case_number_nfkc_trgm",
    "case_title_nfkc_trgm",
    "company_name_nfkc_trgm",
}


def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only (CI runs this)")


def test_the_nfkc_trigram_indexes_exist_on_postgresql():
    _postgres_only()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        present = {row[0] for row in cursor.fetchall()}
    assert present >= NFKC_INDEXES


@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (lambda: Case.objects.filter(title__nfkc__icontains="体育館"), "case_title_nfkc_trgm"),
        (lambda: Case.objects.filter(number__nfkc__icontains="R7-T"), "case_number_nfkc_trgm"),
        (lambda: Company.objects.filter(name__nfkc__icontains="足利建"), "company_name_nfkc_trgm"),
        (
            lambda: Application.objects.filter(receipt_number__nfkc__icontains="000008"),
            "application_receipt_nfkc_trgm",
        ),
    ],
)
def test_the_nfkc_search_is_answered_by_its_index(queryset, index):
    _postgres_only()
    with connection.cursor() as cursor:
        # As in tests/core/test_scale_indexes.py: a small table would be read whole; without
        # those plans left, only the trigram index can answer the search.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset().values("pk").explain()
    assert index in plan, plan
