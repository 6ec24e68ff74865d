"""業務ホーム: the clerk's work queue on the admin index.

Each box is a count and the oldest few rows of one kind of pending work, scoped to what the user
may see (契約管財課: every department; 担当課: their own), with a link to the same rows in the
admin's list. A fixed number of queries whatever the number of rows: one count and one slice per
box (plus one prefetch for the signers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.selectors import scope_to_staff, sees_all_departments
from applications.constants import Status as ApplicationStatus
from applications.kinds import get_kind
from applications.models import Application
from contracts.constants import RequestStatus, SignerState
from contracts.models import Contract, Signer, SigningRequest
from contracts.selectors import gate_problems, ready_to_send, with_problems
from core.wareki import format_wareki
from surety.constants import Status as SuretyStatus
from surety.models import SuretyCertificate

OLDEST = 5


@dataclass
class QueueItem:
    label: str
    url: str
    note: str = ""
    warning: bool = False


@dataclass
class QueueBox:
    key: str
    title: str
    count: int
    url: str
    empty: str
    items: list[QueueItem] = field(default_factory=list)


def changelist_url(name: str, params: dict) -> str:
    """The admin list ``name`` (``app_model``) filtered by ``params``."""
    url = reverse(f"admin:{name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _change(name: str, pk) -> str:
    return reverse(f"admin:{name}_change", args=[pk])


def _days_since(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return ""
    days = (timezone.localdate(now) - timezone.localtime(moment).date()).days
    return "本日提出" if days <= 0 else f"提出から{days}日"


def _department_param(user, path: str) -> dict:
    """Scoped lists already show only the user's department; the link says so explicitly."""
    if sees_all_departments(user) or user.department_id is None:
        return {}
    return {f"{path}__id__exact": user.department_id}


def week_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Monday 0:00 to next Monday 0:00, local time."""
    today = timezone.localdate(now)
    monday = today - dt.timedelta(days=today.weekday())
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    return start, start + dt.timedelta(days=7)


def _applications(user, now) -> tuple[QueueBox, QueueBox]:
    base = scope_to_staff(Application.objects.all(), user, "case__department").select_related(
        "case", "company"
    )
    dept = _department_param(user, "case__department")
    name = "applications_application"

    submitted = base.filter(status=ApplicationStatus.SUBMITTED)
    review = QueueBox(
        key="review",
        title="審査待ちの申請",
        count=submitted.count(),
        url=changelist_url(name, {"status__exact": ApplicationStatus.SUBMITTED, **dept}),
        empty="審査待ちの申請はありません。",
        items=[
            QueueItem(
                label=f"{a.case.number} {get_kind(a.kind).title}（{a.company.name}）",
                url=_change(name, a.pk),
                note=_days_since(a.submitted_at, now),
                warning=a.submitted_at is not None and (now - a.submitted_at).days >= 7,
            )
            for a in submitted.order_by("submitted_at", "id")[:OLDEST]
        ],
    )

    returned = base.filter(status=ApplicationStatus.RETURNED)
    today = timezone.localdate(now)
    returned_box = QueueBox(
        key="returned",
        title="差戻し中",
        count=returned.count(),
        url=changelist_url(name, {"status__exact": ApplicationStatus.RETURNED, **dept}),
        empty="差戻し中の申請はありません。",
        items=[
            QueueItem(
                label=f"{a.case.number} {get_kind(a.kind).title}（{a.company.name}）",
                url=_change(name, a.pk),
                note=(
                    f"再提出の期限 {format_wareki(a.return_deadline)}"
                    + ("（期限切れ）" if a.return_deadline < today else "")
                    if a.return_deadline
                    else "再提出の期限なし"
                ),
                warning=bool(a.return_deadline and a.return_deadline < today),
            )
            for a in returned.order_by(
                # Deadlines first, the nearest first; then those without one, oldest first.
                F("return_deadline").asc(nulls_last=True),
                "returned_at",
                "id",
            )[:OLDEST]
        ],
    )
    return review, returned_box


def _sureties(user, now) -> QueueBox:
    pending = (
        scope_to_staff(SuretyCertificate.objects.all(), user, "case__department")
        .filter(status=SuretyStatus.RECEIVED)
        .select_related("case")
    )
    name = "surety_suretycertificate"
    return QueueBox(
        key="sureties",
        title="確認待ちの保証証書",
        count=pending.count(),
        url=changelist_url(
            name,
            {"status__exact": SuretyStatus.RECEIVED, **_department_param(user, "case__department")},
        ),
        empty="確認待ちの保証証書はありません。",
        items=[
            QueueItem(
                label=f"{s.case.number} {s.get_product_display()}（{s.get_form_display()}）",
                url=_change(name, s.pk),
                note=_days_since(s.created_at, now).replace("提出", "登録"),
            )
            for s in pending.order_by("created_at", "id")[:OLDEST]
        ],
    )


def _ready(user) -> QueueBox:
    ready = ready_to_send(scope_to_staff(Contract.objects.all(), user, "case__department"))
    name = "contracts_contract"
    items = []
    for contract in ready.select_related(
        "case", "case__department", "case__awarded_company"
    ).order_by("created_at", "id")[:OLDEST]:
        # The per-row checks (term limit, the certificate's own checks) for the few shown.
        problems = gate_problems(contract)
        items.append(
            QueueItem(
                label=f"{contract.case.number} {contract.title}",
                url=_change(name, contract.pk),
                note=problems[0] if problems else "送信できます",
                warning=bool(problems),
            )
        )
    return QueueBox(
        key="ready",
        title="送信できる契約",
        count=ready.count(),
        url=changelist_url(name, {"ready": "1", **_department_param(user, "case__department")}),
        empty="送信の条件がそろった契約はありません。",
        items=items,
    )


def _requests(user) -> QuerySet[SigningRequest]:
    return scope_to_staff(
        SigningRequest.objects.all(), user, "contract__case__department"
    ).select_related("contract", "contract__case")


def _waiting(user, now) -> QueueBox:
    waiting = _requests(user).filter(status=RequestStatus.WAITING)
    name = "contracts_signingrequest"
    items = []
    turn = Prefetch(
        "signers",
        queryset=Signer.objects.filter(state=SignerState.WAITING).order_by("order"),
        to_attr="waiting_signers",
    )
    for request in waiting.prefetch_related(turn).order_by("sent_at", "id")[:OLDEST]:
        signer = request.waiting_signers[0] if request.waiting_signers else None
        if signer is None:
            note, warning = "確認待ちの署名者なし", False
        else:
            note = f"{signer.get_role_display()} {signer.name} の確認待ち"
            warning = False
            if signer.link_expires_at:
                expires = timezone.localtime(signer.link_expires_at)
                note += f"・URL有効期限 {format_wareki(expires.date())}"
                if signer.link_expires_at <= now:
                    note += "（期限切れ）"
                    warning = True
                elif signer.link_expires_at - now <= dt.timedelta(days=2):
                    warning = True
        items.append(
            QueueItem(
                label=f"{request.contract.case.number} {request.contract.title}",
                url=_change(name, request.pk),
                note=note,
                warning=warning,
            )
        )
    return QueueBox(
        key="waiting",
        title="署名待ち",
        count=waiting.count(),
        url=changelist_url(
            name,
            {
                "status__exact": RequestStatus.WAITING,
                **_department_param(user, "contract__case__department"),
            },
        ),
        empty="署名待ちの契約はありません。",
        items=items,
    )


def _errors(user) -> QueueBox:
    failing = with_problems(_requests(user))
    name = "contracts_signingrequest"
    return QueueBox(
        key="errors",
        title="送信・同期エラー",
        count=failing.count(),
        url=changelist_url(
            name,
            {"problem": "1", **_department_param(user, "contract__case__department")},
        ),
        empty="エラーはありません。",
        items=[
            QueueItem(
                label=f"{r.contract.case.number} {r.contract.title}（{r.get_status_display()}）",
                url=_change(name, r.pk),
                note=(r.last_error_message or r.last_error_code or "")[:80],
                warning=True,
            )
            for r in failing.order_by("last_error_at", "id")[:OLDEST]
        ],
    )


def _concluded(user, now) -> QueueBox:
    start, end = week_bounds(now)
    done = _requests(user).filter(
        status=RequestStatus.CONCLUDED, concluded_at__gte=start, concluded_at__lt=end
    )
    name = "contracts_signingrequest"
    return QueueBox(
        key="concluded",
        title="今週の締結",
        count=done.count(),
        url=changelist_url(
            name,
            {
                "status__exact": RequestStatus.CONCLUDED,
                "concluded_at__gte": start.isoformat(),
                "concluded_at__lt": end.isoformat(),
                **_department_param(user, "contract__case__department"),
            },
        ),
        empty="今週締結した契約はありません。",
        items=[
            QueueItem(
                label=f"{r.contract.case.number} {r.contract.title}",
                url=_change(name, r.pk),
                note=f"締結 {format_wareki(timezone.localtime(r.concluded_at).date())}",
            )
            for r in done.order_by("-concluded_at", "-id")[:OLDEST]
        ],
    )


def work_queue(user, now: dt.datetime | None = None) -> list[QueueBox]:
    """The 業務ホーム boxes for ``user``, in the order of the day's work."""
    now = now or timezone.now()
    review, returned = _applications(user, now)
    return [
        review,
        returned,
        _sureties(user, now),
        _ready(user),
        _waiting(user, now),
        _errors(user),
        _concluded(user, now),
    ]
