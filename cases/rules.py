"""The rules that follow from a case's own data."""

from __future__ import annotations

from cases.constants import ADVANCE_RATIO


def advance_limit(case) -> int | None:
    """The largest 前払金 for the case: 40 % (工事) or 30 % (関連業務), 1万円未満切捨."""
    ratio = ADVANCE_RATIO.get(case.category)
    if ratio is None or not case.amount:
        return None
    return case.amount * ratio // 100 // 10_000 * 10_000
