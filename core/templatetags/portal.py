from datetime import date, datetime

from django import template
from django.utils import timezone

from core.pages import page_url
from core.text import format_yen
from core.version import portal_version
from core.wareki import format_date, format_wareki_datetime

register = template.Library()


@register.filter(name="wareki")
def wareki_filter(value: date | datetime | None) -> str:
    """{{ case.opened_on|wareki }} → 令和7年11月25日"""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_date(value)


@register.filter(name="yen")
def yen_filter(value) -> str:
    """{{ case.amount|yen }} → 50,000,000円"""
    if value is None or value == "":
        return "—"
    return format_yen(int(value))


@register.filter(name="lookup")
def lookup_filter(mapping, key):
    """{{ labels|lookup:name }} → labels[name], or the key itself when absent."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.filter(name="wareki_dt")
def wareki_datetime_filter(value: datetime | None) -> str:
    """{{ application.submitted_at|wareki_dt }} → 令和7年11月25日 14時05分"""
    return format_wareki_datetime(value) if value else ""


@register.simple_tag(name="portal_version")
def portal_version_tag() -> str:
    """The release shown in the admin footer."""
    return portal_version()


@register.simple_tag(name="page_url")
def page_url_tag(slot: str, *args) -> str:
    """{% page_url "case" case.pk %}: a page served by a higher app (see core.pages)."""
    return page_url(slot, *args)
