"""Every large admin list finds text typed as it is stored, and typed in its plain form:
「（その２）」 and 「(その2)」, 「㈱」 and 「(株)」, 「１２３」 and 「123」. The search box's words
are NFKC-normalised, so the stored text must be compared in its NFKC form too (core/search.py);
before, only the 申請 list did, and a title typed exactly as written found nothing elsewhere.
On PostgreSQL every searched column has a trigram index on that expression."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Company
from cases.models import Case
from core.admin import LargeListMixin
from tests.factories import CaseFactory, ContractFactory, SuretyCertificateFactory

pytestmark = pytest.mark.django_db

TITLE = "市道１２３号線道路改良工事（その２）"  # as the city writes it: full-width digits, brackets


def found(client, url_name: str, term: str) -> list[int]:
    response = client.get(reverse(url_name), {"q": term})
    assert response.status_code == 200
    return [row.pk for row in response.context["cl"].result_list]


@pytest.fixture
def staff(client, section_staff):
    client.force_login(section_staff)
    return client


@pytest.fixture
def titled_case(case):
    Case.objects.filter(pk=case.pk).update(title=TITLE, place="足利市通２丁目")
    case.refresh_from_db()
    return case


AS_TYPED = ["（その２）", "(その2)", "その2", "１２３号線", "123号線", "工事（その２）"]


@pytest.mark.parametrize("term", AS_TYPED)
def test_case_list(staff, titled_case, term):
    assert found(staff, "admin:cases_case_changelist", term) == [titled_case.pk]


@pytest.mark.parametrize("term", ["通２丁目", "通2丁目"])
def test_case_list_by_place(staff, titled_case, term):
    assert found(staff, "admin:cases_case_changelist", term) == [titled_case.pk]


@pytest.mark.parametrize("term", AS_TYPED)
def test_contract_list(staff, titled_case, term):
    contract = ContractFactory(case=titled_case, title=TITLE)
    assert found(staff, "admin:contracts_contract_changelist", term) == [contract.pk]


@pytest.mark.parametrize("term", ["（その２）", "(その2)"])
def test_surety_list_through_the_case(staff, titled_case, term):
    surety = SuretyCertificateFactory(case=titled_case)
    assert found(staff, "admin:surety_suretycertificate_changelist", term) == [surety.pk]


@pytest.mark.parametrize("term", ["㈱足利", "(株)足利", "（株）足利", "足利建設"])
def test_company_list(staff, company, term):
    Company.objects.filter(pk=company.pk).update(name="㈱足利建設")
    assert found(staff, "admin:accounts_company_changelist", term) == [company.pk]


@pytest.mark.parametrize("term", ["（その３）", "(その3)", "456号線"])
def test_a_term_that_matches_nothing_finds_nothing(staff, titled_case, term):
    assert found(staff, "admin:cases_case_changelist", term) == []


def test_names_stay_stored_as_written(staff, titled_case):
    found(staff, "admin:cases_case_changelist", "(その2)")
    titled_case.refresh_from_db()
    assert titled_case.title == TITLE


def test_the_text_is_matched_once_per_table(staff, titled_case):
    """The 案件 list filters its queryset four times (rows, count, the date hierarchy's two):
    the NFKC text condition is evaluated once per searched table (cases, companies) and the
    list then filtered by keys — not once per filtering over every row (4 × ~25 ms at ten
    years of cases, bench/scale.py)."""
    with CaptureQueriesContext(connection) as queries:
        assert found(staff, "admin:cases_case_changelist", "（その２）") == [titled_case.pk]
    matching = [q["sql"] for q in queries.captured_queries if "NFKC" in q["sql"].upper()]
    assert len(matching) == 2, matching


def key_lookups(client, url_name: str, term: str) -> list[str]:
    """The queries a search made for keys (``SELECT … AS "pk"``: core.search.matching_keys)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(url_name), {"q": term}).status_code == 200
    return [q["sql"] for q in queries.captured_queries if 'AS "pk" FROM' in q["sql"]]


def test_each_searched_table_is_queried_once_per_term(staff, titled_case):
    """The 署名依頼 list searches its own 書類ID, the contract's title and the contract's case's
    number: one query for each table's keys per word — not a second one for keys found already."""
    ContractFactory(case=titled_case, title=TITLE)
    url = "admin:contracts_signingrequest_changelist"
    assert len(key_lookups(staff, url, "（その２）")) == 3
    assert len(key_lookups(staff, url, "（その２） 工事")) == 6


def test_more_matches_than_keys_are_listed_stays_right(staff, case, monkeypatch):
    """Over ``MAX_KEYS`` rows of its own the list is filtered by the condition itself; over
    ``MAX_KEYS`` rows of a related table, by a subquery: the same rows either way."""
    monkeypatch.setattr("core.search.MAX_KEYS", 1)
    cases = [
        CaseFactory(
            department=case.department, number=f"R8-ＫＥ-00{n}", title=f"道路改良工事（その{n}）"
        )
        for n in "123"
    ]
    expected = sorted(c.pk for c in cases)
    assert sorted(found(staff, "admin:cases_case_changelist", "(その")) == expected
    contracts = [ContractFactory(case=c, title="契約") for c in cases]
    assert sorted(found(staff, "admin:contracts_contract_changelist", "r8-ke")) == sorted(
        c.pk for c in contracts
    )


def searched_columns() -> set[tuple[str, str]]:
    """(table, column) of every contains-field of every large admin list's search."""
    columns = set()
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, LargeListMixin):
            continue
        for spec in model_admin.search_fields:
            if spec.startswith("="):  # exact: codes, on their b-tree index
                continue
            *path, name = spec.split("__")
            target = model
            for step in path:
                target = target._meta.get_field(step).related_model
            columns.add((target._meta.db_table, target._meta.get_field(name).column))
    return columns


def test_the_large_lists_search_these_columns():
    """The check below is only as good as this list: it must see the lists' fields."""
    assert {
        ("contracts_case", "title"),
        ("accounts_company", "name"),
        ("contracts_contract", "title"),
        ("core_auditevent", "target_repr"),
    } <= searched_columns()


def test_every_searched_column_has_an_nfkc_trigram_index():
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only (CI runs this)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        )
        indexed = set()
        for table, definition in cursor.fetchall():
            match = re.search(
                r'gin \(upper\(normalize\(\(?"?(\w+)"?\)?(?:::text)?, nfkc\)\) gin_trgm_ops\)',
                definition.lower(),
            )
            if match:
                indexed.add((table, match.group(1)))
    assert searched_columns() - indexed == set()
