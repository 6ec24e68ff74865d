"""Reads of applications: scoped to who is asking, and the case-level reads the 様式 and other
apps need (the filed amounts, the 中間前金払 choice, the 申出書's signers, the 契約日).

Imports models, nothing of ``applications.kinds`` at module level: the kind modules read
through here, and importing any part of that package first runs its ``__init__``, which
registers every 様式 (and so imports this module): the kinds' names are read inside functions.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet

from accounts.selectors import scope_to_staff
from applications.constants import EDITABLE, NOT_FILED, Status
from applications.models import Application, MidtermCertification

if TYPE_CHECKING:
    from applications.kinds.registry import Kind


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
    from applications.kinds.registry import kinds_for  # the kinds read this module, not back

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


# --- case-level reads (the 様式's rules and other apps read these) ---------------------------


def contract_date_of(case) -> dt.date | None:
    """The 契約日 of the case's 当初契約, once it is known."""
    return (
        case.contracts.filter(kind="initial", contract_date__isnull=False)
        .order_by("contract_date")
        .values_list("contract_date", flat=True)
        .first()
    )


def filed(case, kind: str) -> QuerySet[Application]:
    """The case's filed applications of ``kind`` (not 下書き or 取下げ), newest first."""
    return (
        Application.objects.filter(case=case, kind=kind)
        .exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
        .order_by("-created_at", "-id")
    )


def latest_filed(case, kind: str) -> Application | None:
    """The case's latest filed application of ``kind`` (not 下書き or 取下げ)."""
    return filed(case, kind).first()


def midterm_certified(case) -> bool:
    """Whether staff's latest decision on the case's 中間前金払認定請求 is 認定."""
    latest = MidtermCertification.objects.filter(case=case).order_by("-decided_at", "-id").first()
    return latest is not None and latest.decision == MidtermCertification.Decision.CERTIFIED


def midterm_chosen(case) -> bool:
    """Whether the latest ④ 選択に係る届出書 chose 中間前金払."""
    latest = filed(case, "midterm_choice").first()
    return latest is not None and latest.data.get("choice") == "midterm"


def filed_amount(case, payment_type: str = "advance") -> int | None:
    """The amount requested in the latest filed ⑤ of ``payment_type`` (前払金 / 中間前払金)."""
    for application in filed(case, "advance_payment"):
        if (application.data.get("payment_type") or "advance") == payment_type:
            try:
                return int(application.data.get("requested_amount"))
            except (TypeError, ValueError):
                return None
    return None


def midterm_limit(case) -> int | None:
    """The largest 中間前払金 for ``case`` (rules.midterm_limit with the filed 前払金)."""
    from applications.kinds import rules

    return rules.midterm_limit(case.amount, filed_amount(case, "advance") or 0)


def advance_problems(case) -> list[str]:
    """Why the case has no 前払金 (rules.advance_problems with the city's settings)."""
    from applications.kinds import rules

    return rules.advance_problems(
        advance_payment=case.advance_payment,
        amount=case.amount,
        period_start=case.period_start,
        period_end=case.period_end,
        min_amount=settings.ADVANCE_MIN_AMOUNT,
        min_period_days=settings.ADVANCE_MIN_PERIOD_DAYS,
    )


def econtract_signers(
    application: Application,
) -> tuple[tuple[str, str], list[tuple[str, str]]]:
    """From a 電子契約利用申出書: (契約締結権限者 (name, email), [契約担当者 (name, email) …])."""
    data = application.data
    staff = [
        (data[f"staff{i}_name"], data[f"staff{i}_email"])
        for i in (1, 2, 3)
        if data.get(f"staff{i}_name") and data.get(f"staff{i}_email")
    ]
    return (data["signer_name"], data["signer_email"]), staff
