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
