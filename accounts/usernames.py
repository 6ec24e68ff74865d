"""One canonical form of a login name (an e-mail address), used by every login path.

Lookups, the lockout (django-axes) and the per-address throttle all key on this form, so that
``DOBOKU@…``, ``Doboku@…``, full-width letters or a dotless ``ı`` are the same account — never a
fresh set of guesses at it.
"""

from __future__ import annotations

import unicodedata

# Letters that casefold() keeps apart but that databases (PostgreSQL's UPPER) and people treat as
# the ASCII letter: Turkish dotless i, and the dot left over from casefolding a dotted capital İ.
_FOLD = str.maketrans({"\u0131": "i", "\u0307": None})


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    return unicodedata.normalize("NFC", text)


def _domain(domain: str) -> str:
    labels = []
    for label in _fold(domain).rstrip(".").split("."):
        try:
            labels.append(label.encode("idna").decode("ascii") if label else label)
        except UnicodeError:
            labels.append(label)  # not a valid IDN label: kept (it will match no account)
    return ".".join(labels)


def canonical_username(value: str | None) -> str:
    """NFKC + casefold (+ dotless-i folding) of the local part, IDNA (punycode) of the domain,
    spaces removed: 「 ＤＯＢＯＫＵ＠city.ashikaga.example 」→ ``doboku@city.ashikaga.example``."""
    text = "".join(_fold(value or "").split())
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    return f"{local}@{_domain(domain)}"


def axes_username(request, credentials: dict | None = None) -> str:
    """AXES_USERNAME_CALLABLE: the lockout is kept per canonical login name."""
    from django.conf import settings

    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field)
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get(field)
    return canonical_username(raw)
