"""Text search that a database can answer from indexes, whatever the size of the tables.

A search over ``company__name`` and ``case__number`` written the obvious way (``icontains`` through
JOINs, ORed) makes PostgreSQL scan every table it joins. Here each related table is searched on its
own (``UPPER(col) LIKE``, which a pg_trgm GIN index on ``UPPER(col)`` answers) and the list is
filtered by the keys found: ``company_id IN (…) OR case_id IN (…) OR receipt_number = …`` — each
branch an index lookup. On SQLite the same queries run without those indexes (tables are small).

Field syntax, as in ``ModelAdmin.search_fields``: ``"name"`` (contains, case-insensitive),
``"=receipt_number"`` (exact: codes and numbers, answered by their b-tree index), and
``"case__number"`` through forward foreign keys.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Model, Q, QuerySet
from django.utils.text import smart_split, unescape_string_literal

from core.text import normalize

# Up to this many keys are passed as a literal list (planned as an index lookup per key); more,
# and the related search stays a subquery.
MAX_KEYS = 2000


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


def search_condition(model: type[Model], fields: Iterable[str], term: str) -> Q:
    """One term ORed over the fields (each related model searched by its own indexes)."""
    condition = Q()
    related: dict[str, list[str]] = defaultdict(list)
    for spec in fields:
        exact = spec.startswith("=")
        head, _, rest = spec.lstrip("=").partition("__")
        if rest:
            related[head].append(("=" if exact else "") + rest)
        elif exact:
            condition |= Q(**{head: term})
        else:
            condition |= Q(**{f"{head}__icontains": term})
    for head, specs in related.items():
        other = model._meta.get_field(head).related_model
        keys = matching_keys(other._default_manager.filter(search_condition(other, specs, term)))
        if not isinstance(keys, list) or keys:
            condition |= Q(**{f"{head}__in": keys})
    if not condition:  # nothing related matched and no local field: no row matches
        return Q(pk__in=[])
    return condition
