"""The 監査記録 and stored-file columns searched in their NFKC form.

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
        ("core", "0005_japanese_names"),
    ]

    operations = [
        trigram_extension(),
        *replace_trigram_index(
            "core_auditevent",
            "target_repr",
            "audit_target_repr_trgm",
            "audit_target_repr_nfkc_trgm",
            concurrently=True,
        ),
        *replace_trigram_index(
            "core_auditevent",
            "actor_label",
            "audit_actor_label_trgm",
            "audit_actor_label_nfkc_trgm",
            concurrently=True,
        ),
        *replace_trigram_index(
            "core_storedfile",
            "original_name",
            "storedfile_name_trgm",
            "storedfile_name_nfkc_trgm",
            concurrently=True,
        ),
    ]
