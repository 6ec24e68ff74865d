"""Reads of contracts, scoped to who is asking."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet

from accounts.selectors import scope_to_staff
from applications.constants import Status as ApplicationStatus
from applications.kinds import ECONTRACT
from applications.models import Application
from contracts.constants import REQUEST_ACTIVE, SENDABLE, ContractStatus
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


# --- the send gate ---------------------------------------------------------------------------


def latest_econtract(case) -> Application | None:
    """The case's latest 電子契約利用申出書 (withdrawn ones do not count)."""
    return (
        Application.objects.filter(case=case, company_id=case.awarded_company_id, kind=ECONTRACT)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .order_by("-created_at", "-id")
        .first()
    )


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def gate_problems(contract: Contract) -> list[str]:
    """Why the contract cannot be sent now (empty: it can)."""
    problems = []
    case = contract.case
    if contract.status not in SENDABLE:
        problems.append(f"「{contract.get_status_display()}」の契約は送信できません。")
    if case.awarded_company_id is None:
        problems.append("案件に落札者が登録されていません。")
    econtract = latest_econtract(case)
    if econtract is None:
        problems.append("電子契約利用申出書が提出されていません。")
    elif econtract.status != ApplicationStatus.ACCEPTED:
        problems.append(
            f"最新の電子契約利用申出書（到達番号 {econtract.receipt_number or '未提出'}）が"
            f"受理されていません（{econtract.get_status_display()}）。"
        )
    if not contract.files.exists():
        problems.append("署名するPDFがありません。契約書のPDFを登録してください。")
    if contract.period_start and contract.period_end:
        limit = _add_years(contract.period_start, settings.CONTRACT_MAX_TERM_YEARS)
        if contract.period_end > limit:
            problems.append(
                f"契約期間が{settings.CONTRACT_MAX_TERM_YEARS}年を超えるため、電子契約の対象外です。"
            )
    threshold = settings.CONTRACT_COUNCIL_THRESHOLD
    if contract.amount >= threshold:
        problems.append(f"契約金額が{threshold:,}円以上の議決案件のため、電子契約の対象外です。")
    if contract.signing_requests.filter(status__in=REQUEST_ACTIVE).exists():
        problems.append("この契約には進行中の署名依頼があります。")
    from surety.services import performance_gate_problems

    problems += performance_gate_problems(contract)
    department = case.department
    if not (department.signer_name and department.signer_email):
        problems.append(
            f"担当課「{department.name}」に市の署名者（氏名・メールアドレス）が設定されていません。"
        )
    return problems
