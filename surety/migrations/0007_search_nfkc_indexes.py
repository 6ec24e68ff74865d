"""The 保証証書 columns searched in their NFKC form.

Every large admin list and the archive (core/search.py) compare what is typed and what is
stored NFKC-normalised, so 「（その２）」 typed as stored finds it. pg_trgm GIN indexes on
``UPPER(NORMALIZE(column, NFKC))``, replacing the plain ``UPPER(column)`` ones no query uses any
more. PostgreSQL only; SQLite skips them.
"""

from django.db import migrations

from core.db import replace_trigram_index, trigram_extension


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY: the tables stay writable meanwhile

    dependencies = [
        ("surety", "0006_queue_and_list_indexes"),
    ]

    operations = [
        trigram_extension(),
        *replace_trigram_index(
            "surety_suretycertificate",
            "guarantee_number",
            "surety_number_trgm",
            "surety_number_nfkc_trgm",
            concurrently=True,
        ),
        *replace_trigram_index(
            "surety_suretycertificate",
            "issuer",
            "surety_issuer_trgm",
            "surety_issuer_nfkc_trgm",
            concurrently=True,
        ),
    ]
