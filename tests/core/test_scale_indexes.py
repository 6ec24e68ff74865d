"""The index migration runs on PostgreSQL and on SQLite (the embedded default), both ways, and on
PostgreSQL the trigram indexes answer the admin's searches (NFKC ``icontains``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Company

BEFORE = [
    ("accounts", "0003_view_all_departments"),
    ("core", "0003_alter_storedfile_content_type"),
    ("cases", "0003_case_planned_price"),
    ("applications", "0005_receipt_counter"),
    ("contracts", "0009_japanese_labels"),
    ("surety", "0003_certificate_entry"),
]
ORDER_INDEXES = [
    "audit_newest_idx",
    "storedfile_newest_idx",
    "application_newest_idx",
    "case_newest_idx",
    "contract_newest_idx",
    "signingrequest_newest_idx",
    "signeddocument_order_idx",
    "surety_newest_idx",
]
# The searches compare NFKC forms (core/search.py): the indexes are on UPPER(NORMALIZE(col, NFKC)).
TRIGRAM_INDEXES = [
    "company_name_nfkc_trgm",
    "case_number_nfkc_trgm",
    "case_title_nfkc_trgm",
    "case_place_nfkc_trgm",
    "contract_title_nfkc_trgm",
    "audit_target_repr_nfkc_trgm",
    "audit_actor_label_nfkc_trgm",
    "storedfile_name_nfkc_trgm",
    "surety_number_nfkc_trgm",
    "surety_issuer_nfkc_trgm",
    "company_vendor_number_nfkc_trgm",
    "company_corporate_number_nfkc_trgm",
    "user_email_nfkc_trgm",
    "user_name_nfkc_trgm",
    "webhookreceipt_document_nfkc_trgm",
]
# The plain UPPER(col) indexes they replaced: gone once migrated (no query uses them).
PLAIN_TRIGRAM_INDEXES = [
    "company_name_trgm",
    "case_number_trgm",
    "case_title_trgm",
    "case_place_trgm",
    "contract_title_trgm",
    "audit_target_repr_trgm",
    "audit_actor_label_trgm",
    "storedfile_name_trgm",
    "surety_number_trgm",
    "surety_issuer_trgm",
]


def indexes() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {row[0] for row in cursor.fetchall()}


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_index_migrations_run_backwards_and_forwards():
    assert set(ORDER_INDEXES) <= indexes()
    try:
        migrate(BEFORE)
        assert not (set(ORDER_INDEXES) | set(TRIGRAM_INDEXES)) & indexes()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    present = indexes()
    assert set(ORDER_INDEXES) <= present
    if connection.vendor == "postgresql":
        assert set(TRIGRAM_INDEXES) <= present
    else:  # SQLite skips them (no pg_trgm): searches still work, without the index
        assert not set(TRIGRAM_INDEXES) & present
    assert not set(PLAIN_TRIGRAM_INDEXES) & present


@pytest.mark.django_db
def test_the_trigram_index_matches_what_the_search_writes():
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only (CI runs this)")
    query = Company.objects.filter(name__nfkc__icontains="足利建設").values("pk")
    with connection.cursor() as cursor:
        # A small table: the planner would read it whole, or walk another index with a filter.
        # Without those two plans left, the search can only be answered by the trigram index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = query.explain()
    assert "company_name_nfkc_trgm" in plan, plan
