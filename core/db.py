"""Database helpers shared by the apps' services, and migration operations that exist only on
PostgreSQL (the embedded SQLite default skips them).

Trigram indexes (pg_trgm, GIN on ``UPPER(column)``, the expression Django's ``icontains`` uses on
PostgreSQL) make substring searches of large tables index lookups. They are not part of any
model's state — they change no query Django writes — so ``makemigrations`` never sees them and
SQLite never runs them.
"""

from __future__ import annotations

from django.db import migrations
from django.db.models import QuerySet
from django.utils import timezone


def update_rows(queryset: QuerySet, **fields) -> int:
    """``queryset.update(**fields)`` that also moves the model's ``auto_now`` fields (such as
    ``updated_at``): a bulk UPDATE bypasses ``save()``, so they would keep the old time."""
    now = timezone.now()
    for field in queryset.model._meta.concrete_fields:
        if getattr(field, "auto_now", False) and field.name not in fields:
            fields[field.name] = now
    return queryset.update(**fields)


class PostgresOnlySQL(migrations.RunSQL):
    """``RunSQL`` that runs on PostgreSQL and does nothing on any other database."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return "SQL for PostgreSQL only (skipped elsewhere)"


def trigram_extension() -> PostgresOnlySQL:
    """pg_trgm (a trusted extension since PostgreSQL 13: the database owner may create it)."""
    return PostgresOnlySQL(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm", reverse_sql=migrations.RunSQL.noop
    )


def _concurrently(concurrently: bool) -> str:
    # CONCURRENTLY: the table stays writable while the index is built (a GIN index over years of
    # audit records takes a while); it needs a migration with ``atomic = False``.
    return " CONCURRENTLY" if concurrently else ""


def trigram_index(
    table: str, column: str, name: str, *, concurrently: bool = False
) -> PostgresOnlySQL:
    """A GIN trigram index on UPPER(column): answers ``column__icontains`` (any length ≥ 3)."""
    how = _concurrently(concurrently)
    return PostgresOnlySQL(
        f'CREATE INDEX{how} IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}") '
        "gin_trgm_ops)",
        reverse_sql=f'DROP INDEX{how} IF EXISTS "{name}"',
    )


def nfkc_trigram_index(
    table: str, column: str, name: str, *, concurrently: bool = False
) -> PostgresOnlySQL:
    """A GIN trigram index on UPPER(NORMALIZE(column, NFKC)): answers ``column__nfkc__icontains``
    (core.search.NFKC; ``NORMALIZE`` is immutable since PostgreSQL 13, UTF-8 databases)."""
    how = _concurrently(concurrently)
    return PostgresOnlySQL(
        f'CREATE INDEX{how} IF NOT EXISTS "{name}" ON "{table}" USING gin '
        f'(UPPER(NORMALIZE("{column}", NFKC)) gin_trgm_ops)',
        reverse_sql=f'DROP INDEX{how} IF EXISTS "{name}"',
    )


def drop_trigram_index(
    table: str, column: str, name: str, *, concurrently: bool = False
) -> PostgresOnlySQL:
    """The plain trigram index ``name`` dropped (backwards, made again): the admin lists and the
    archive match the stored text in its NFKC form (core/search.py), so it answers no query."""
    plain = trigram_index(table, column, name, concurrently=concurrently)
    return PostgresOnlySQL(
        f'DROP INDEX{_concurrently(concurrently)} IF EXISTS "{name}"', reverse_sql=plain.sql
    )


def replace_trigram_index(
    table: str, column: str, old: str, new: str, *, concurrently: bool = False
) -> list[PostgresOnlySQL]:
    """The plain trigram index ``old`` on ``column`` replaced by the NFKC one ``new``."""
    return [
        nfkc_trigram_index(table, column, new, concurrently=concurrently),
        drop_trigram_index(table, column, old, concurrently=concurrently),
    ]
