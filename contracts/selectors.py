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


def sees_all_departments(user) -> bool:
    """契約管財課 (and 閲覧) staff see every department's cases; 担当課 staff their own."""
    return user.is_superuser or user.has_perm("contracts.view_all_departments")


def scope_to_staff(qs: QuerySet, user, path: str = "department") -> QuerySet:
    """``qs`` limited to what ``user`` may see; ``path`` leads from its rows to the 担当課."""
    if sees_all_departments(user):
        return qs
    if user.department_id is None:
        return qs.none()
    return qs.filter(**{f"{path}_id" if path else "pk": user.department_id})


def departments_for_staff(user) -> QuerySet:
    from accounts.models import Department

    return scope_to_staff(Department.objects.all(), user, path="")


def cases_for_staff(user) -> QuerySet[Case]:
    """Every case for 契約管財課 (and 閲覧); only their department's for 担当課 staff."""
    return scope_to_staff(Case.objects.all(), user)


def contracts_for_company(user) -> QuerySet[Contract]:
    """The contracts of the user's company's cases; never a draft still being prepared."""
    if not user.is_authenticated or user.company_id is None:
        return Contract.objects.none()
    return Contract.objects.filter(case__awarded_company_id=user.company_id).exclude(
        status=ContractStatus.PREPARING, signing_requests__isnull=True
    )


def contracts_for_staff(user) -> QuerySet[Contract]:
    return scope_to_staff(Contract.objects.all(), user, "case__department")
