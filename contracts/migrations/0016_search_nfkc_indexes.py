"""The 契約 and webhook columns searched in their NFKC form.

Every large admin list and the archive (core/search.py) compare what is typed and what is
stored NFKC-normalised, so 「（その２）」 typed as stored finds it. pg_trgm GIN indexes on
``UPPER(NORMALIZE(column, NFKC))``, replacing the plain ``UPPER(column)`` ones no query uses any
more. PostgreSQL only; SQLite skips them.
"""

from django.db import migrations

from core.db import nfkc_trigram_index, replace_trigram_index, trigram_extension


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY: the tables stay writable meanwhile

    dependencies = [
        ("contracts", "0015_queue_partial_indexes"),
    ]

    operations = [
        trigram_extension(),
        *replace_trigram_index(
            "contracts_contract",
            "title",
            "contract_title_trgm",
            "contract_title_nfkc_trgm",
            concurrently=True,
        ),
        nfkc_trigram_index(
            "contracts_webhookreceipt",
            "document_id",
            "webhookreceipt_document_nfkc_trgm",
            concurrently=True,
        ),
    ]
