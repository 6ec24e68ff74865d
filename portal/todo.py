"""The contractor's home: per case what to do next, the most urgent case first.

Everything is read in a fixed number of queries (cases, filings, contracts with their active
signing requests and contractor signers), whatever the number of cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from applications.constants import Status as ApplicationStatus
from applications.kinds import kinds_for
from applications.selectors import applications_for_company
from cases.selectors import cases_for_company
from contracts.constants import REQUEST_ACTIVE, ContractStatus, SignerRole, SignerState
from contracts.models import Signer, SigningRequest
from contracts.selectors import contracts_for_company
from core.wareki import format_wareki

# Urgency ranks: the lower, the sooner the contractor must act.
RETURNED, TO_SIGN, MISSING, DRAFT, WAITING, DOWNLOAD, NOTHING = range(7)
FAR = dt.date.max


@dataclass
class Action:
    rank: int
    label: str
    detail: str = ""
    url: str = ""
    due: dt.date | None = None

    @property
    def level(self) -> str:
        return {RETURNED: "urgent", TO_SIGN: "urgent", MISSING: "warning", DRAFT: "warning"}.get(
            self.rank, "info"
        )


@dataclass
class CaseRow:
    case: object
    status: str
    status_key: str
    actions: list[Action] = field(default_factory=list)

    @property
    def urgency(self) -> tuple:
        if not self.actions:
            return (NOTHING, FAR)
        first = min(self.actions, key=lambda a: (a.rank, a.due or FAR))
        return (first.rank, first.due or FAR)


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def case_rows(user) -> list[CaseRow]:
    cases = list(cases_for_company(user).select_related("department"))
    ids = [c.pk for c in cases]
    filings: dict[int, dict[str, object]] = {}
    for application in (
        applications_for_company(user)
        .filter(case_id__in=ids)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .only("id", "case_id", "kind", "status", "return_deadline", "created_at")
        .order_by("created_at", "id")
    ):
        filings.setdefault(application.case_id, {})[application.kind] = application
    contracts: dict[int, list] = {}
    active = SigningRequest.objects.filter(status__in=REQUEST_ACTIVE).prefetch_related(
        Prefetch(
            "signers",
            queryset=Signer.objects.filter(role=SignerRole.CONTRACTOR),
            to_attr="contractor_signers",
        )
    )
    for contract in (
        contracts_for_company(user)
        .filter(case_id__in=ids)
        .distinct()
        .order_by("created_at", "id")
        .prefetch_related(Prefetch("signing_requests", queryset=active, to_attr="active"))
    ):
        contracts.setdefault(contract.case_id, []).append(contract)
    rows = [_row(case, filings.get(case.pk, {}), contracts.get(case.pk, [])) for case in cases]
    # The most urgent first; then the newest case.
    rows.sort(key=lambda r: r.case.opened_on or dt.date.min, reverse=True)
    rows.sort(key=lambda r: r.urgency)
    return rows


def _row(case, filings: dict, contracts: list) -> CaseRow:
    actions: list[Action] = []
    case_url = reverse("case_detail", args=[case.pk])
    for kind in kinds_for(case.category):
        application = filings.get(kind.code)
        if application is not None and application.status == ApplicationStatus.RETURNED:
            due = application.return_deadline
            actions.append(
                Action(
                    RETURNED,
                    f"差戻し（{'期限 ' + format_wareki(due) if due else '期限なし'}）",
                    f"{kind.title}：市から修正を依頼されています。修正して再提出してください。",
                    reverse("applications:edit", args=[application.pk]),
                    due,
                )
            )
    missing = [
        k
        for k in kinds_for(case.category)
        if k.needed_for(case)
        and (filings.get(k.code) is None or filings[k.code].status == ApplicationStatus.DRAFT)
    ]
    if missing:
        actions.append(
            Action(
                MISSING,
                f"未提出の書類 {len(missing)} 件",
                "、".join(k.title for k in missing),
                case_url + "#applications",
            )
        )
    drafts = [
        k
        for k, a in filings.items()
        if a.status == ApplicationStatus.DRAFT and k not in {m.code for m in missing}
    ]
    if drafts:
        actions.append(
            Action(
                DRAFT, f"下書き {len(drafts)} 件", "提出されていない下書きがあります。", case_url
            )
        )
    status, key = "落札", "awarded"
    for contract in contracts:
        url = reverse("contract_detail", args=[contract.pk])
        if contract.status == ContractStatus.CONCLUDED:
            actions.append(
                Action(
                    DOWNLOAD,
                    "締結済 — ダウンロード",
                    f"{contract.title}（{contract.get_kind_display()}）",
                    url,
                )
            )
        for request in getattr(contract, "active", []):
            signer = next(iter(request.contractor_signers), None)
            if signer is not None and signer.state in (SignerState.WAITING, SignerState.PENDING):
                due = _local_date(signer.link_expires_at)
                actions.append(
                    Action(
                        TO_SIGN,
                        f"署名依頼中 — 有効期限 {format_wareki(due) if due else '—'}",
                        f"{contract.title}：クラウドサインから届いたメールを開き、内容を確認して同意してください。",
                        url,
                        due,
                    )
                )
            else:
                actions.append(
                    Action(WAITING, "市の署名待ち", f"{contract.title}：同意済みです。", url)
                )
    if contracts:
        latest = contracts[-1]
        status, key = {
            ContractStatus.CONCLUDED: ("締結済", "concluded"),
            ContractStatus.SIGNING: ("署名依頼中", "signing"),
        }.get(latest.status, ("契約準備中", "preparing"))
    actions.sort(key=lambda a: (a.rank, a.due or FAR))
    return CaseRow(case=case, status=status, status_key=key, actions=actions)
