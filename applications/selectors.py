"""Reads of applications, scoped to who is asking."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.selectors import scope_to_staff
from applications.constants import EDITABLE, NOT_FILED
from applications.kinds import Kind, kinds_for
from applications.models import Application


def applications_for_company(user) -> QuerySet[Application]:
    if not user.is_authenticated or user.company_id is None:
        return Application.objects.none()
    return Application.objects.filter(company_id=user.company_id)


def open_draft(user, *, case, kind: str) -> Application | None:
    """The company's filing of ``kind`` for ``case`` that may still be edited, if any."""
    return (
        applications_for_company(user)
        .filter(case=case, kind=kind, status__in=EDITABLE)
        .order_by("-created_at")
        .first()
    )


def applications_for_staff(user) -> QuerySet[Application]:
    if not user.is_staff:
        return Application.objects.none()
    return scope_to_staff(Application.objects.all(), user, "case__department")


def staff_can_see(user, application: Application) -> bool:
    return (
        user.is_staff
        and user.has_perm("applications.view_application")
        and applications_for_staff(user).filter(pk=application.pk).exists()
    )


def case_checklist(case, company) -> list[tuple[Kind, Application | None, str]]:
    """Each form of the case's category with the company's latest filing and its status label."""
    latest: dict[str, Application] = {}
    for application in Application.objects.filter(case=case, company=company).order_by(
        "created_at", "id"
    ):
        latest[application.kind] = application
    rows = []
    for kind in kinds_for(case.category):
        application = latest.get(kind.code)
        label = application.get_status_display() if application else NOT_FILED
        rows.append((kind, application, label))
    return rows
