"""Reads of contracts, scoped to who is asking."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.selectors import scope_to_staff
from contracts.constants import ContractStatus
from contracts.models import Contract


def contracts_for_company(user) -> QuerySet[Contract]:
    """The contracts of the user's company's cases; never a draft still being prepared."""
    if not user.is_authenticated or user.company_id is None:
        return Contract.objects.none()
    return Contract.objects.filter(case__awarded_company_id=user.company_id).exclude(
        status=ContractStatus.PREPARING, signing_requests__isnull=True
    )


def contracts_for_staff(user) -> QuerySet[Contract]:
    return scope_to_staff(Contract.objects.all(), user, "case__department")
