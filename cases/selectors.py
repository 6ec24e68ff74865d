"""Reads of cases, scoped to who is asking."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.selectors import scope_to_staff
from cases.models import Case


def cases_for_company(user) -> QuerySet[Case]:
    """The cases awarded to the user's company (none for a user without a company)."""
    if not user.is_authenticated or user.company_id is None:
        return Case.objects.none()
    return Case.objects.filter(awarded_company_id=user.company_id).select_related("department")


def cases_for_staff(user) -> QuerySet[Case]:
    """Every case for 契約管財課 (and 閲覧); only their department's for 担当課 staff."""
    return scope_to_staff(Case.objects.all(), user)


def amount_in_force(case) -> int | None:
    """The 請負金額 in force: the latest concluded 変更契約's amount, else the case's own (which
    contracts.changes keeps in step once a 変更 is concluded). Every surety check uses it."""
    latest = (
        case.contracts.filter(kind="change", status="concluded")
        .order_by("-contract_date", "-created_at", "-id")
        .values_list("amount", flat=True)
        .first()
    )
    return latest if latest is not None else case.amount
