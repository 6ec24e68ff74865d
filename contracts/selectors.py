"""Reads of contracts, scoped to who is asking."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.selectors import scope_to_staff
from applications.constants import Status as ApplicationStatus
from applications.kinds import ECONTRACT
from applications.models import Application
from applications.selectors import econtract_signers
from contracts.constants import REQUEST_ACTIVE, SENDABLE, ContractStatus
from contracts.eligibility import council_problems, term_problems
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


# --- the 却下 path -----------------------------------------------------------------------------


def latest_rejection(contract: Contract):
    """The signing request the contractor (or the city's signer) 却下ed, when the contract is
    却下 now; None otherwise."""
    from contracts.constants import RequestStatus
    from contracts.models import SigningRequest

    if contract.status != ContractStatus.REJECTED:
        return None
    return (
        SigningRequest.objects.filter(contract=contract, status=RequestStatus.REJECTED)
        .order_by("-created_at", "-id")
        .first()
    )


def _new_file_since_rejection():
    """A PDF of the contract that no 却下ed request carried (a replaced contract PDF)."""
    from django.db.models import Exists, OuterRef

    from contracts.constants import RequestStatus
    from contracts.models import ContractFile, RemoteFile

    sent_in_rejected = RemoteFile.objects.filter(
        contract_file=OuterRef("pk"), signing_request__status=RequestStatus.REJECTED
    )
    return Exists(
        ContractFile.objects.filter(contract=OuterRef("pk")).exclude(Exists(sent_in_rejected))
    )


def rejection_unresolved_q():
    """The 却下ed contracts that may not be resent yet: no new PDF and no recorded decision to
    resend as is after the rejected request."""
    from django.db.models import OuterRef, Q, Subquery

    from contracts.constants import RequestStatus
    from contracts.models import SigningRequest

    rejected_at = Subquery(
        SigningRequest.objects.filter(contract=OuterRef("pk"), status=RequestStatus.REJECTED)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    decided = Q(resend_as_is_at__isnull=False, resend_as_is_at__gt=rejected_at)
    return Q(status=ContractStatus.REJECTED) & ~_new_file_since_rejection() & ~decided


def rejection_unresolved(contract: Contract) -> bool:
    if contract.status != ContractStatus.REJECTED:
        return False
    return Contract.objects.filter(rejection_unresolved_q(), pk=contract.pk).exists()


def rejected_contracts(qs: QuerySet[Contract]) -> QuerySet[Contract]:
    """却下された契約 still waiting for staff (a new PDF or a decision to resend as is), with the
    reason and the date of the rejection annotated (``rejected_reason``, ``rejected_on``)."""
    from django.db.models import OuterRef, Subquery

    from contracts.constants import RequestStatus
    from contracts.models import SigningRequest

    latest = SigningRequest.objects.filter(
        contract=OuterRef("pk"), status=RequestStatus.REJECTED
    ).order_by("-created_at", "-id")
    return qs.filter(rejection_unresolved_q()).annotate(
        rejected_reason=Subquery(latest.values("decline_comment")[:1]),
        rejected_at=Subquery(latest.values("closed_at")[:1]),
    )


# --- the send gate ---------------------------------------------------------------------------


def latest_econtract(case) -> Application | None:
    """The case's latest 電子契約利用申出書 (withdrawn ones do not count)."""
    return (
        Application.objects.filter(case=case, company_id=case.awarded_company_id, kind=ECONTRACT)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .order_by("-created_at", "-id")
        .first()
    )


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
    from esign.limits import document_problems

    problems += document_problems(
        list(contract.files.values_list("file__original_name", "file__size"))
    )
    problems += term_problems(contract) + council_problems(contract)
    if contract.signing_requests.filter(status__in=REQUEST_ACTIVE).exists():
        problems.append("この契約には進行中の署名依頼があります。")
    if rejection_unresolved(contract):
        problems.append(
            "却下された契約です。契約書のPDFを差し替えるか、"
            "「このまま再送信する」を理由とともに記録してから送信してください。"
        )
    from surety.services import performance_gate_problems

    problems += performance_gate_problems(contract)
    department = case.department
    if not (department.signer_name and department.signer_email):
        problems.append(
            f"担当課「{department.name}」に市の署名者（氏名・メールアドレス）が設定されていません。"
        )
    return problems


def _council_cases():
    """The 議決 rule of contracts.eligibility as a condition (on the 予定価格, or the amount when
    no 予定価格 is registered)."""
    from django.conf import settings
    from django.db.models import Q

    condition = Q(pk__in=[])
    for category, threshold in settings.CONTRACT_COUNCIL_THRESHOLDS.items():
        if threshold is None:
            continue
        condition |= Q(case__category=category) & (
            Q(case__planned_price__gte=threshold)
            | Q(case__planned_price__isnull=True, amount__gte=threshold)
        )
    for category, required_from in settings.CONTRACT_PLANNED_PRICE_REQUIRED.items():
        if required_from is not None:  # no 予定価格 where it is required: not sendable either
            condition |= Q(
                case__category=category, case__planned_price__isnull=True, amount__gte=required_from
            )
    return condition


def ready_to_send(qs: QuerySet[Contract]) -> QuerySet[Contract]:
    """The contracts of ``qs`` whose send gate is satisfied, as far as one query can tell: a
    sendable status, at least one PDF, the case's latest 申出書 受理, no active request, under the
    議決 threshold, the city signer set and the 契約保証 in place (exempt, a verified electronic
    certificate or a received paper original). The term limit and the certificate's own checks
    are per row; :func:`gate_problems` has the last word before sending."""
    from django.db.models import Exists, OuterRef, Q, Subquery

    from contracts.models import ContractFile, SigningRequest
    from surety.constants import Form as SuretyForm
    from surety.constants import Product
    from surety.constants import Status as SuretyStatus
    from surety.models import SuretyCertificate

    latest = (
        Application.objects.filter(
            case=OuterRef("case"), company=OuterRef("case__awarded_company"), kind=ECONTRACT
        )
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .order_by("-created_at", "-id")
        .values("status")[:1]
    )
    performance = SuretyCertificate.objects.filter(
        case=OuterRef("case"), product=Product.PERFORMANCE
    )
    surety_ok = (
        # 免除 counts with a reason (not blank, not only spaces), as in performance_gate_problems
        (Q(case__surety_exempt=True) & ~Q(case__surety_exempt_reason__regex=r"^\s*$"))
        | Exists(performance.filter(form=SuretyForm.ELECTRONIC, status=SuretyStatus.VERIFIED))
        | Exists(
            performance.exclude(form=SuretyForm.ELECTRONIC)
            .filter(received_on__isnull=False)
            .exclude(status=SuretyStatus.DEFECTIVE)
        )
    )
    return (
        qs.filter(status__in=SENDABLE, case__awarded_company__isnull=False)
        .exclude(_council_cases())
        .exclude(case__department__signer_name="")
        .exclude(case__department__signer_email="")
        .annotate(_econtract_status=Subquery(latest))
        .filter(_econtract_status=ApplicationStatus.ACCEPTED)
        .filter(Exists(ContractFile.objects.filter(contract=OuterRef("pk"))))
        .exclude(
            Exists(
                SigningRequest.objects.filter(contract=OuterRef("pk"), status__in=REQUEST_ACTIVE)
            )
        )
        .filter(surety_ok)
        .exclude(rejection_unresolved_q())
    )


def problem_condition():
    """The condition of :func:`with_problems`, for counting beside others in one query."""
    from django.db.models import Q

    from contracts.constants import RequestStatus

    return (
        Q(status=RequestStatus.FAILED)
        | Q(status__in=REQUEST_ACTIVE, last_error_at__isnull=False)
        | Q(status=RequestStatus.CONCLUDED, stored_at__isnull=True, last_error_at__isnull=False)
    )


def with_problems(qs: QuerySet) -> QuerySet:
    """Signing requests needing staff: a failed send, or an error while sending, syncing or
    storing that has not cleared."""
    return qs.filter(problem_condition())


# --- what a send will do ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedPerson:
    order: int | None
    role: str
    name: str
    email: str
    organization: str
    source: str


@dataclass(frozen=True)
class SendPlan:
    signers: list[PlannedPerson]
    reportees: list[PlannedPerson]
    econtract: Application | None


def send_plan(contract: Contract) -> SendPlan:
    """Who will sign (in order) and who will be 共有先 if the contract is sent now, and where each
    comes from — the same rules as the send itself: the contractor's 契約締結権限者 first, the
    city's signer last, the 契約担当者 of the accepted 申出書 as 共有先 (no address twice)."""
    from django.utils import timezone

    from contracts.constants import SignerRole
    from core.wareki import format_wareki

    case = contract.case
    econtract = latest_econtract(case)
    company = case.awarded_company
    department = case.department
    signers: list[PlannedPerson] = []
    reportees: list[PlannedPerson] = []
    taken: set[str] = set()
    if econtract is not None and econtract.status == ApplicationStatus.ACCEPTED:
        (name, email), staff = econtract_signers(econtract)
        accepted = (
            format_wareki(timezone.localtime(econtract.accepted_at).date())
            if econtract.accepted_at
            else ""
        )
        source = f"電子契約利用申出書（到達番号 {econtract.receipt_number}、{accepted}受理）"
        signers.append(
            PlannedPerson(
                1,
                SignerRole.CONTRACTOR.label,
                name[:64],
                email,
                company.name[:64] if company else "",
                source,
            )
        )
        taken.add(email.lower())
        for staff_name, staff_email in staff:
            if (
                staff_email.lower() in taken
                or staff_email.lower() == (department.signer_email or "").lower()
            ):
                continue
            reportees.append(
                PlannedPerson(
                    None,
                    "契約担当者（共有先）",
                    staff_name[:64],
                    staff_email,
                    company.name[:64] if company else "",
                    source,
                )
            )
            taken.add(staff_email.lower())
    if department.signer_name and department.signer_email:
        signers.append(
            PlannedPerson(
                2,
                SignerRole.CITY.label,
                department.signer_name[:64],
                department.signer_email,
                "足利市",
                f"担当課「{department.name}」の市の署名者の設定",
            )
        )
    return SendPlan(signers=signers, reportees=reportees, econtract=econtract)
