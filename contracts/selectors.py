"""Reads of cases, scoped to who is asking."""

from __future__ import annotations

from django.db.models import QuerySet

from contracts.constants import ContractStatus
from contracts.models import Case, Contract


def cases_for_company(user) -> QuerySet[Case]:
    """The cases awarded to the user's company (none for a user without a company)."""
    if not user.is_authenticated or user.company_id is None:
        return Case.objects.none()
    return Case.objects.filter(awarded_company_id=user.company_id).select_related("department")


def cases_for_staff(user) -> QuerySet[Case]:
    """Every case for 契約管財課 (and 閲覧); only their department's for 担当課 staff."""
    qs = Case.objects.all()
    if user.is_superuser or user.has_perm("contracts.view_all_departments"):
        return qs
    if user.department_id is None:
        return qs.none()
    return qs.filter(department_id=user.department_id)


def contracts_for_company(user) -> QuerySet[Contract]:
    """The contracts of the user's company's cases; never a draft still being prepared."""
    if not user.is_authenticated or user.company_id is None:
        return Contract.objects.none()
    return Contract.objects.filter(case__awarded_company_id=user.company_id).exclude(
        status=ContractStatus.PREPARING, signing_requests__isnull=True
    )


def contracts_for_staff(user) -> QuerySet[Contract]:
    return Contract.objects.filter(case__in=cases_for_staff(user))
