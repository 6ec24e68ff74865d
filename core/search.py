"""Text search that a database can answer from indexes, whatever the size of the tables.

A search over ``company__name`` and ``case__number`` written the obvious way (``icontains`` through
JOINs, ORed) makes PostgreSQL scan every table it joins. Here each related table is searched on its
own (``UPPER(col) LIKE``, which a pg_trgm GIN index on ``UPPER(col)`` answers) and the list is
filtered by the keys found: ``company_id IN (…) OR case_id IN (…) OR receipt_number = …`` — each
branch an index lookup. On SQLite the same queries run without those indexes (tables are small).

Field syntax, as in ``ModelAdmin.search_fields``: ``"name"`` (contains, case-insensitive),
``"=receipt_number"`` (exact: codes and numbers, answered by their b-tree index), and
``"case__number"`` through forward foreign keys.

NFKC matching: what is typed is normalised (``search_terms``) and the stored text is compared in
its NFKC form — ``NFKC(col)`` through the ``nfkc`` transform — so 「０００００８」 and
「000008」, 「（その２）」 and 「(その2)」, 「㈱」 and 「(株)」 find each other, typed either
way, while names stay stored as written (a normalised term against the text as written would
miss 「（その２）」 typed exactly as stored).
On PostgreSQL the transform is ``NORMALIZE(col, NFKC)`` (immutable: a pg_trgm GIN index on
``UPPER(NORMALIZE(col, NFKC))`` answers it, see ``core.db.nfkc_trigram_index``); on SQLite it is
a Python function registered on each connection (``register_sqlite_functions``).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import CharField, Model, Q, QuerySet, TextField, Transform
from django.utils.text import smart_split, unescape_string_literal

from core.text import normalize

# Up to this many keys are passed as a literal list (planned as an index lookup per key); more,
# and the related search stays a subquery.
MAX_KEYS = 2000


class NFKC(Transform):
    """``field__nfkc``: the field's text NFKC-normalised (for matching only; nothing is stored)."""

    lookup_name = "nfkc"
    function = "NFKC"  # SQLite: see register_sqlite_functions

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="NORMALIZE(%(expressions)s, NFKC)", **extra_context
        )


def _nfkc(value: str | None) -> str | None:
    return None if value is None else unicodedata.normalize("NFKC", value)


def register_lookups() -> None:
    """Make ``__nfkc`` available on text fields (CoreConfig.ready)."""
    CharField.register_lookup(NFKC)
    TextField.register_lookup(NFKC)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: SQLite has no NFKC of its own."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("NFKC", 1, _nfkc, deterministic=True)


def matching_keys(queryset: QuerySet) -> list | QuerySet:
    """The primary keys of the matching rows as a list (each an index lookup in the outer
    query), or, when there are very many, as a subquery."""
    keys = list(queryset.values_list("pk", flat=True)[: MAX_KEYS + 1])
    return keys if len(keys) <= MAX_KEYS else queryset.values("pk")


def search_terms(search_term: str) -> list[str]:
    """The words of a search box (quoted phrases kept), normalised (NFKC: full-width digits)."""
    terms = []
    for bit in smart_split(normalize(search_term)):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            terms.append(bit)
    return terms


def search_condition(
    model: type[Model], fields: Iterable[str], term: str, *, keyed: bool = True
) -> Q:
    """One term ORed over the fields: ``pk IN (…) OR company_id IN (…) OR …`` — the model's own
    fields and each related model searched once (one query each), by their own indexes, and the
    list filtered by the keys found. A list page filters the same queryset several times (the
    rows, their count, the date hierarchy's bounds): with keys each of those is a lookup, where
    the text condition itself would be evaluated again on every row each time (NFKC on 10,000
    cases: ~25 ms a time). More than ``MAX_KEYS`` rows of the model's own: the condition itself
    (a list that long would not be cheaper). ``keyed=False``: the model's own fields stay a
    condition (a related model's, which its caller turns into keys in the same query).

    The contains-fields are matched in their NFKC form (exact fields stay exact, on their b-tree
    index: codes); the term is expected to be normalised already (``search_terms``)."""
    condition = Q()
    own = _text_condition(model, fields, term)
    if own and keyed:
        keys = matching_keys(model._default_manager.filter(own))
        if not isinstance(keys, list):
            condition |= own
        elif keys:
            condition |= Q(pk__in=keys)
    elif own:
        condition |= own
    related: dict[str, list[str]] = defaultdict(list)
    for spec in fields:
        head, _, rest = spec.lstrip("=").partition("__")
        if rest:
            related[head].append(("=" if spec.startswith("=") else "") + rest)
    for head, specs in related.items():
        other = model._meta.get_field(head).related_model
        found = other._default_manager.filter(search_condition(other, specs, term, keyed=False))
        keys = matching_keys(found)
        if not isinstance(keys, list) or keys:
            condition |= Q(**{f"{head}__in": keys})
    if not condition:  # nothing matched: no row matches
        return Q(pk__in=[])
    return condition


def _text_condition(model: type[Model], fields: Iterable[str], term: str) -> Q:
    """The term ORed over the model's own fields (``=field`` exact, the others NFKC contains)."""
    condition = Q()
    for spec in fields:
        name = spec.lstrip("=")
        if "__" in name:
            continue
        if spec.startswith("="):
            condition |= Q(**{name: term})
        else:
            condition |= Q(**{f"{name}__nfkc__icontains": term})
    return condition
