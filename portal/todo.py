"""The contractor's home: per case what to do next, the most urgent case first.

Each case's most urgent action (rank, due date) is kept in ``CaseNextAction`` by ``refresh``,
called in the transaction of every change that can move it (see ``connect``), so the home page
reads one indexed slice and builds only the rows it shows, whatever the company's history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from applications.constants import Status as ApplicationStatus
from applications.kinds import ECONTRACT, kinds_for
from cases.models import CaseNextAction
from cases.selectors import cases_for_company
from contracts.constants import REQUEST_ACTIVE, ContractStatus, SignerRole, SignerState
from core.wareki import format_wareki

# Urgency ranks: the lower, the sooner the contractor must act.
RETURNED, TO_SIGN, MISSING, DRAFT, WAITING, DOWNLOAD, NOTHING = range(7)
FAR = CaseNextAction.NO_DUE
# Contractor lists are paged: a page's cost does not grow with the company's history.
PAGE_SIZE = 20


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
    """Every case of the user's company, the most urgent first (tests and small callers; the
    home page reads one page of ``home_page``)."""
    ids = list(cases_for_company(user).values_list("pk", flat=True))
    rows = _rows(ids)
    return sorted(rows, key=_order)


def _order(row: CaseRow) -> tuple:
    rank, due = row.urgency
    opened = row.case.opened_on or CaseNextAction.NOT_OPENED
    return (rank, due, -opened.toordinal(), -row.case.pk)


def home_page(user, number) -> Page:
    """One page of the company's cases, the most urgent first: a slice of the kept
    ``CaseNextAction`` rows (one indexed ``ORDER BY rank, due LIMIT n``), then the rows shown,
    built in a fixed number of queries — nothing here grows with the company's history."""
    if not user.is_authenticated or user.company_id is None:
        ordered = CaseNextAction.objects.none()
    else:
        ordered = CaseNextAction.objects.filter(company_id=user.company_id).order_by(
            "rank", "due", "-opened_on", "-case_id"
        )
    page = Paginator(ordered.select_related("case__department"), PAGE_SIZE).get_page(number)
    cases = [kept.case for kept in page.object_list]
    rows = {row.case.pk: row for row in _rows(cases=cases)}
    page.object_list = [rows[case.pk] for case in cases if case.pk in rows]
    return page


def _rows(case_ids=(), *, cases=None, apps=global_apps) -> list[CaseRow]:
    """The rows of these cases (ids, or the cases already read with their department), each
    for the company it is awarded to, in a fixed number of queries (cases, filings, contracts,
    their active signing requests and contractor signers).

    ``apps`` lets the data migration use the historical models."""
    Case = apps.get_model("cases", "Case")
    Application = apps.get_model("applications", "Application")
    Contract = apps.get_model("contracts", "Contract")
    SigningRequest = apps.get_model("contracts", "SigningRequest")
    Signer = apps.get_model("contracts", "Signer")
    if cases is None:
        cases = list(
            Case.objects.filter(pk__in=case_ids, awarded_company__isnull=False).select_related(
                "department"
            )
        )
    cases = [c for c in cases if c.awarded_company_id is not None]
    if not cases:
        return []
    ids = [c.pk for c in cases]
    company_of = {c.pk: c.awarded_company_id for c in cases}
    filings: dict[int, dict[str, object]] = {}
    for application in (
        Application.objects.filter(case_id__in=ids)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .only("id", "case_id", "company_id", "kind", "status", "return_deadline", "created_at")
        .order_by("created_at", "id")
    ):
        # Only the awarded company's own filings (as applications_for_company).
        if application.company_id == company_of[application.case_id]:
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
        # As contracts_for_company: never a draft still being prepared.
        Contract.objects.filter(case_id__in=ids)
        .exclude(status=ContractStatus.PREPARING, signing_requests__isnull=True)
        .distinct()
        .order_by("created_at", "id")
        .prefetch_related(Prefetch("signing_requests", queryset=active, to_attr="active"))
    ):
        contracts.setdefault(contract.case_id, []).append(contract)
    return [_row(case, filings.get(case.pk, {}), contracts.get(case.pk, [])) for case in cases]


def refresh(case_ids, *, apps=global_apps) -> None:
    """Recompute the kept next action of these cases (call inside the writing transaction)."""
    ids = {pk for pk in case_ids if pk is not None}
    if not ids:
        return
    Kept = apps.get_model("cases", "CaseNextAction")
    rows = _rows(ids, apps=apps)
    kept = []
    for row in rows:
        rank, due = row.urgency
        kept.append(
            Kept(
                case_id=row.case.pk,
                company_id=row.case.awarded_company_id,
                rank=rank,
                due=due,
                opened_on=row.case.opened_on or CaseNextAction.NOT_OPENED,
            )
        )
    # Cases gone or no longer awarded: no row.
    gone = ids - {r.case.pk for r in rows}
    if gone:
        Kept.objects.filter(case_id__in=gone).delete()
    Kept.objects.bulk_create(
        kept,
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["company", "rank", "due", "opened_on", "updated_at"],
    )


def refresh_all(*, apps=global_apps, batch: int = 500) -> int:
    """Every awarded case's next action (the data migration, ``bench/scale.py``)."""
    Case = apps.get_model("cases", "Case")
    ids = list(
        Case.objects.filter(awarded_company__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            refresh(ids[start : start + batch], apps=apps)
    return len(ids)


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
    econtract = filings.get(ECONTRACT)
    if econtract is not None and econtract.status == ApplicationStatus.ACCEPTED:
        # The 申出書 is accepted: the city prepares the contract (not shown until it is sent).
        status, key = "契約準備中", "preparing"
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
        if contract.status == ContractStatus.REJECTED:
            actions.append(
                Action(
                    WAITING,
                    "却下済み — 市で確認中",
                    f"{contract.title}：却下を市が確認しています。契約書を直して送り直すときは、"
                    "クラウドサインからあらためてメールが届きます。",
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
            ContractStatus.REJECTED: ("却下（市で確認中）", "rejected"),
        }.get(latest.status, ("契約準備中", "preparing"))
    actions.sort(key=lambda a: (a.rank, a.due or FAR))
    return CaseRow(case=case, status=status, status_key=key, actions=actions)


# --- keeping CaseNextAction in step -------------------------------------------------------------


def _deleted_with_case(kwargs) -> bool:
    from cases.models import Case

    origin = kwargs.get("origin")
    model = getattr(origin, "model", type(origin))
    return model is Case


def _on_case(sender, instance, **kwargs) -> None:
    from cases.signals import defer_case_change

    if not defer_case_change(instance.pk):  # an import refreshes its cases once, at its end
        refresh([instance.pk])


def _on_case_child(sender, instance, **kwargs) -> None:
    if not _deleted_with_case(kwargs):
        refresh([instance.case_id])


def _on_signing_request(sender, instance, **kwargs) -> None:
    if _deleted_with_case(kwargs):
        return
    contract = instance._state.fields_cache.get("contract")
    if contract is not None:
        refresh([contract.case_id])
    else:
        from contracts.models import Contract

        refresh(Contract.objects.filter(pk=instance.contract_id).values_list("case_id", flat=True))


def _on_signer(sender, instance, **kwargs) -> None:
    if _deleted_with_case(kwargs):
        return
    from contracts.models import Contract

    refresh(
        Contract.objects.filter(signing_requests=instance.signing_request_id).values_list(
            "case_id", flat=True
        )
    )


def _on_cases_changed(sender, case_ids, **kwargs) -> None:
    refresh(case_ids)


def connect() -> None:
    """Refresh the kept next action on every write that can move it, in the same transaction:
    model saves and deletes (services, admin, imports) and the services' bulk writes
    (``cases_changed``)."""
    from django.db.models.signals import post_delete, post_save

    from applications.models import Application
    from cases.models import Case
    from cases.signals import cases_changed
    from contracts.models import Contract, Signer, SigningRequest

    uid = "portal.todo"
    post_save.connect(_on_case, sender=Case, dispatch_uid=f"{uid}.case")
    for model, handler in (
        (Application, _on_case_child),
        (Contract, _on_case_child),
        (SigningRequest, _on_signing_request),
        (Signer, _on_signer),
    ):
        post_save.connect(handler, sender=model, dispatch_uid=f"{uid}.save.{model.__name__}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}.delete.{model.__name__}")
    cases_changed.connect(_on_cases_changed, dispatch_uid=f"{uid}.cases_changed")
