"""The 案件 columns searched in their NFKC form.

Every large admin list and the archive (core/search.py) compare what is typed and what is
stored NFKC-normalised, so 「（その２）」 typed as stored finds it. pg_trgm GIN indexes on
``UPPER(NORMALIZE(column, NFKC))``, replacing the plain ``UPPER(column)`` ones no query uses any
more (the number's and the title's NFKC indexes came with ``applications/0011``). PostgreSQL
only; SQLite skips them.
"""

from django.db import migrations

from core.db import drop_trigram_index, replace_trigram_index, trigram_extension


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY: the tables stay writable meanwhile

    dependencies = [
        # the NFKC indexes of the columns whose plain ones are dropped here
        ("applications", "0011_search_nfkc_indexes"),
        ("cases", "0006_case_next_action"),
    ]

    operations = [
        trigram_extension(),
        drop_trigram_index("contracts_case", "number", "case_number_trgm", concurrently=True),
        drop_trigram_index("contracts_case", "title", "case_title_trgm", concurrently=True),
        *replace_trigram_index(
            "contracts_case", "place", "case_place_trgm", "case_place_nfkc_trgm", concurrently=True
        ),
    ]
