"""What a kind's own steps found, typed and stored in ``Application.hook_results``.

A kind's ``before_attach`` hook reads an attachment once (the 認証キーのお知らせ) and answers an
``AttachResult``: the values to prefill in the applicant's form (``values``, merged into
``Application.data``) and what it read (``HookResults``, stored beside the data, never inside
it). The later steps (``check_submit``, the 確認画面, ``after_submit``) reuse the stored reading
instead of reading the file again.

This module imports nothing of the app, so that the models may use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The keys ``HookResults`` stores, with their JSON types: the schema of ``hook_results``.
SCHEMA: dict[str, type | tuple[type, ...]] = {
    "read": dict,
    "manual": (dict, type(None)),
    "note": str,
    "warnings": list,
}


class HookResultsError(ValueError):
    """A stored ``hook_results`` that does not follow ``SCHEMA``."""


@dataclass(frozen=True)
class ManualEntry:
    """The attachment could not be read: the contractor types the values by hand (手入力)."""

    code: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "reason": self.reason}


@dataclass(frozen=True)
class HookResults:
    """What a kind read from an attachment: ``read`` (the values as read, ``{}`` when nothing
    was read), ``manual`` (set when the contractor types them instead), ``note`` (shown once
    after the upload) and ``warnings`` (shown on the 確認画面 and kept for staff)."""

    read: dict[str, Any] = field(default_factory=dict)
    manual: ManualEntry | None = None
    note: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.read or self.manual or self.note or self.warnings)

    def to_json(self) -> dict[str, Any]:
        if self.empty:
            return {}
        return {
            "read": dict(self.read),
            "manual": self.manual.to_json() if self.manual else None,
            "note": self.note,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> HookResults:
        """The stored form back; anything outside ``SCHEMA`` is an error (not silently kept)."""
        if not value:
            return cls()
        if not isinstance(value, dict):
            raise HookResultsError(f"hook_results must be an object, not {type(value).__name__}")
        unknown = set(value) - set(SCHEMA)
        if unknown:
            raise HookResultsError(f"unknown hook_results keys: {sorted(unknown)}")
        for key, types in SCHEMA.items():
            if key in value and not isinstance(value[key], types):
                raise HookResultsError(f"hook_results[{key!r}] has the wrong type")
        manual = value.get("manual")
        return cls(
            read=dict(value.get("read") or {}),
            manual=ManualEntry(code=manual.get("code", ""), reason=manual.get("reason", ""))
            if manual
            else None,
            note=value.get("note", ""),
            warnings=tuple(value.get("warnings") or ()),
        )


@dataclass(frozen=True)
class AttachResult:
    """A ``before_attach`` hook's answer: form values to prefill and what was read."""

    values: dict[str, Any] = field(default_factory=dict)
    results: HookResults = field(default_factory=HookResults)
