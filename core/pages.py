"""Pages a lower app links to while a higher app serves them (the case page, which the
portal serves, linked from a filing): the lower app names a slot, the owner registers the URL
name that fills it from its AppConfig.ready(). core and the apps below never name a higher
app's URL (tests/test_architecture.py checks reverse()/redirect()/{% url %})."""

from __future__ import annotations

from django.urls import reverse

# slot -> URL name, filled by the app that serves the page
_PAGES: dict[str, str] = {}


def register_page(slot: str, url_name: str) -> None:
    """Fill ``slot`` with ``url_name``; filling a slot twice with another name is an error."""
    if _PAGES.get(slot, url_name) != url_name:
        raise ValueError(f"page {slot!r} is already {_PAGES[slot]!r}")
    _PAGES[slot] = url_name


def page_url(slot: str, *args) -> str:
    """The URL of the page registered for ``slot`` (KeyError: no app serves it)."""
    return reverse(_PAGES[slot], args=args)


# Path prefixes that pass without the two-factor check (sign-in itself, machine endpoints),
# registered by the app that serves them; core's own are in core.middleware.
_TWO_FACTOR_EXEMPT: set[str] = set()


def register_two_factor_exempt(*prefixes: str) -> None:
    _TWO_FACTOR_EXEMPT.update(prefixes)


def two_factor_exempt() -> tuple[str, ...]:
    return tuple(sorted(_TWO_FACTOR_EXEMPT))
