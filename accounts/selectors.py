"""Reads about people: which departments a staff user sees, who receives which mail."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from accounts.models import Department, User

# The permission that lets staff see every department's rows, not only their own.
ALL_DEPARTMENTS_PERMISSION = "accounts.view_all_departments"


def sees_all_departments(user) -> bool:
    """契約管財課 (and 閲覧) staff see every department's cases; 担当課 staff their own."""
    return user.is_superuser or user.has_perm(ALL_DEPARTMENTS_PERMISSION)


def scope_to_staff(qs: QuerySet, user, path: str = "department") -> QuerySet:
    """``qs`` limited to what ``user`` may see; ``path`` leads from its rows to the 担当課."""
    if sees_all_departments(user):
        return qs
    if user.department_id is None:
        return qs.none()
    return qs.filter(**{f"{path}_id" if path else "pk": user.department_id})


def departments_for_staff(user) -> QuerySet[Department]:
    return scope_to_staff(Department.objects.all(), user, path="")


def company_emails(company) -> list[str]:
    return list(
        User.objects.filter(company=company, is_active=True).values_list("email", flat=True)
    )


def reviewer_emails(case, *, permission: str | None = None) -> list[str]:
    """Staff of the case's department and of 契約管財課; with ``permission``
    ("app_label.codename") only those who hold it (directly, through a role, or as superusers):
    a mail that asks for an action goes only to people who can take it."""
    users = User.objects.filter(is_staff=True, is_active=True, department__isnull=False).filter(
        department_id__in=_review_departments(case)
    )
    if permission:
        app_label, codename = permission.split(".", 1)
        held = {"content_type__app_label": app_label, "codename": codename}
        users = users.filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=Permission.objects.filter(**held))
            | Q(user_permissions__in=Permission.objects.filter(**held))
        )
    return sorted(set(users.values_list("email", flat=True)))


def _review_departments(case) -> list[int]:
    return [
        case.department_id,
        *Department.objects.filter(is_contract_section=True).values_list("pk", flat=True),
    ]
