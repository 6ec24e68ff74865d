"""Query parameters read strictly: a value that is not what the page expects is a 400 with a
Japanese message, never a 500."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest


def int_param(
    request: HttpRequest,
    name: str,
    *,
    label: str,
    default: int | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """``request.GET[name]`` as an int within [minimum, maximum]; ``default`` when absent or
    empty; BadRequest (400, Japanese) otherwise."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{label}の指定が正しくありません（数字で指定してください）。") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise BadRequest(f"{label}の指定が範囲外です（{minimum}～{maximum}）。")
    return value
