"""Indexes for the 申請 list's NFKC search (``ApplicationAdmin.search_nfkc``, core/search.py).

pg_trgm GIN indexes on ``UPPER(NORMALIZE(column, NFKC))`` — the expression the search writes —
for the columns the 申請 list searches: its 到達番号, and the case number and title and company
name it searches through (those tables' own plain trigram indexes serve the other lists).
PostgreSQL only; SQLite skips them (``core.db.PostgresOnlySQL``).
"""

from django.db import migrations

from core.db import nfkc_trigram_index, trigram_extension


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_scale_indexes"),
        ("applications", "0010_hook_results"),
        ("cases", "0006_case_next_action"),
    ]

    operations = [
        trigram_extension(),
        nfkc_trigram_index(
            "applications_application", "receipt_number", "application_receipt_nfkc_trgm"
        ),
        nfkc_trigram_index("contracts_case", "number", "case_number_nfkc_trgm"),
        nfkc_trigram_index("contracts_case", "title", "case_title_nfkc_trgm"),
        nfkc_trigram_index("accounts_company", "name", "company_name_nfkc_trgm"),
    ]
