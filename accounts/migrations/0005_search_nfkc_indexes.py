"""The 事業者 and login columns searched in their NFKC form.

Every large admin list and the archive (core/search.py) compare what is typed and what is
stored NFKC-normalised, so 「（その２）」 typed as stored finds it. pg_trgm GIN indexes on
``UPPER(NORMALIZE(column, NFKC))``, replacing the plain ``UPPER(column)`` ones no query uses any
more (the company name's NFKC index came with ``applications/0011``). PostgreSQL only;
SQLite skips them.
"""

from django.db import migrations

from core.db import drop_trigram_index, nfkc_trigram_index, trigram_extension


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY: the tables stay writable meanwhile

    dependencies = [
        # the NFKC indexes of the columns whose plain ones are dropped here
        ("applications", "0011_search_nfkc_indexes"),
        ("accounts", "0004_scale_indexes"),
    ]

    operations = [
        trigram_extension(),
        drop_trigram_index("accounts_company", "name", "company_name_trgm", concurrently=True),
        nfkc_trigram_index(
            "accounts_company",
            "vendor_number",
            "company_vendor_number_nfkc_trgm",
            concurrently=True,
        ),
        nfkc_trigram_index(
            "accounts_company",
            "corporate_number",
            "company_corporate_number_nfkc_trgm",
            concurrently=True,
        ),
        nfkc_trigram_index("accounts_user", "email", "user_email_nfkc_trgm", concurrently=True),
        nfkc_trigram_index("accounts_user", "name", "user_name_nfkc_trgm", concurrently=True),
    ]
