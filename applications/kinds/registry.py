"""The registry of the city's forms (様式): each kind module registers its form with ``@register``.

A kind declares its code, its title as on the 様式, the case categories it applies to, and its
attachment rules. The workflow (services.py) never names a kind: adding a kind is adding a module
in this package (and a line in ``__init__`` so that it is imported in the 様式's order).

This module imports no kind and no model, so that any module of the app may read the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from applications.constants import Purpose
from cases.constants import Category

if TYPE_CHECKING:
    from django import forms

C = Category
ALL = tuple(C.values)
BUILD = (C.CONSTRUCTION,)
SERVICE = (C.CONSTRUCTION_SERVICE,)
BOTH = (C.CONSTRUCTION, C.CONSTRUCTION_SERVICE)
ECONTRACT = "econtract"


class KindHooks(Protocol):
    """A kind's own steps, plugged in by the app that owns them from its AppConfig.ready() (the
    認証キー notice: surety). A hooks class defines any of these (each is optional; a kind
    without one skips the step):

    - ``before_attach(application, purpose, data: bytes) -> AttachResult | None`` (reads the
      PDF once: the values to prefill and the typed reading, stored in ``hook_results``)
    - ``check_submit(application) -> list[str]`` (problems: the filing is refused)
    - ``confirm_warnings(application) -> list[str]`` (shown on the 確認画面, the filing is still
      allowed)
    - ``after_submit(application, user, request) -> None``
    """


HOOK_NAMES = frozenset({"before_attach", "check_submit", "confirm_warnings", "after_submit"})

# kind code -> hooks (a class or object with some of HOOK_NAMES)
_HOOKS: dict[str, Any] = {}


def register_hooks(kind_code: str, hooks: KindHooks | type) -> None:
    """Plug ``hooks`` into the kind ``kind_code``; a second, different registration is an error."""
    if not any(callable(getattr(hooks, name, None)) for name in HOOK_NAMES):
        raise ValueError(f"{hooks!r} defines none of the hooks {sorted(HOOK_NAMES)}")
    if kind_code in _HOOKS and _HOOKS[kind_code] is not hooks:
        raise ValueError(f"hooks for {kind_code!r} are already registered")
    _HOOKS[kind_code] = hooks


@dataclass(frozen=True)
class Kind:
    """A 様式: its code, title, form class, the categories it applies to and its attachments."""

    code: str
    title: str
    form: type[forms.Form]
    categories: tuple[str, ...]
    required_purposes: tuple[str, ...] = ()
    allowed_purposes: tuple[str, ...] = (Purpose.OTHER,)
    # Whether every case of the kind's categories needs this filing ("advance": only a case with
    # 前払金). The others depend on the work (兼任, リサイクル, 中間前金払, 電子保証 or paper).
    # [INFERRED from the briefing's list, docs/domain.md §B.1; confirm with 契約管財課]
    needed: bool | str = False

    def needed_for(self, case) -> bool:
        if self.needed == "advance":
            return bool(case.advance_payment)
        return bool(self.needed)

    def hook(self, name: str) -> Callable[..., Any] | None:
        """The kind's own step ``name``, if another app registered one (see ``register_hooks``)."""
        return getattr(_HOOKS.get(self.code), name, None)

    def applies_to(self, category: str) -> bool:
        return category in self.categories

    @property
    def required_labels(self) -> list[str]:
        return [Purpose(p).label for p in self.required_purposes]

    @property
    def purposes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.required_purposes, *self.allowed_purposes)))


# code -> Kind, in the order of registration (the 様式's order on every page)
BY_CODE: dict[str, Kind] = {}

F = TypeVar("F", bound="type[forms.Form]")


def register(
    code: str,
    title: str,
    categories: tuple[str, ...],
    *,
    required_purposes: tuple[str, ...] = (),
    allowed_purposes: tuple[str, ...] = (Purpose.OTHER,),
    needed: bool | str = False,
) -> Callable[[F], F]:
    """Class decorator: register the form as the 様式 ``code``. A code registered twice is an
    error (two modules claiming one 様式)."""

    def decorate(form: F) -> F:
        if code in BY_CODE:
            raise ValueError(f"kind {code!r} is already registered ({BY_CODE[code].form!r})")
        BY_CODE[code] = Kind(
            code,
            title,
            form,
            categories,
            required_purposes=required_purposes,
            allowed_purposes=allowed_purposes,
            needed=needed,
        )
        return form

    return decorate


def all_kinds() -> tuple[Kind, ...]:
    return tuple(BY_CODE.values())


def get_kind(code: str) -> Kind:
    return BY_CODE[code]


def kinds_for(category: str) -> list[Kind]:
    return [k for k in BY_CODE.values() if k.applies_to(category)]
