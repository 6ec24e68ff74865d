"""業務ホーム: the clerk's work queue on the admin index.

Each box is a count and the oldest few rows of one kind of pending work, scoped to what the user
may see (契約管財課: every department; 担当課: their own), with a link to the same rows in the
admin's list. A fixed number of queries whatever the number of rows: the counts in one query per
model (``COUNT(*) FILTER (WHERE …)``), one slice per box served by a partial index (plus one
prefetch for the signers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.selectors import scope_to_staff, sees_all_departments
from applications.constants import Status as ApplicationStatus
from applications.kinds import get_kind
from applications.models import Application
from contracts.constants import RequestStatus, SignerState
from contracts.models import Contract, SignedDocument, Signer, SigningRequest
from contracts.selectors import (
    gate_problems,
    problem_condition,
    ready_to_send,
    rejected_contracts,
    rejection_unresolved_q,
    with_problems,
)
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


def calendar_days_since(moment: dt.datetime, now: dt.datetime) -> int:
    """Calendar days in Japan from ``moment`` to ``now`` (yesterday 23:30 is 1 at 00:30), never
    below 0 (a clock a little ahead)."""
    return max(0, (timezone.localdate(now) - timezone.localtime(moment).date()).days)


def _days_since(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return ""
    days = calendar_days_since(moment, now)
    return "本日提出" if days == 0 else f"提出から{days}日"


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
    returned = base.filter(status=ApplicationStatus.RETURNED)
    counts = (
        base.filter(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED])
        .order_by()
        .aggregate(
            review=Count("pk", filter=Q(status=ApplicationStatus.SUBMITTED)),
            returned=Count("pk", filter=Q(status=ApplicationStatus.RETURNED)),
        )
    )
    review = QueueBox(
        key="review",
        title="審査待ちの申請",
        count=counts["review"],
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

    today = timezone.localdate(now)
    returned_box = QueueBox(
        key="returned",
        title="差戻し中",
        count=counts["returned"],
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


def _rejected(user) -> QueueBox:
    """却下された契約 waiting for staff: the reason and the date, until a new PDF or a decision
    to resend as is."""
    scoped = scope_to_staff(Contract.objects.all(), user, "case__department")
    rejected = rejected_contracts(scoped)
    name = "contracts_contract"
    return QueueBox(
        key="rejected",
        title="却下された契約",
        # Counted without the reason and date annotations, which only the five shown need.
        count=scoped.filter(rejection_unresolved_q()).count(),
        url=changelist_url(
            name, {"status__exact": "rejected", **_department_param(user, "case__department")}
        ),
        empty="却下された契約はありません。",
        items=[
            QueueItem(
                label=f"{c.case.number} {c.title}",
                url=_change(name, c.pk),
                note=(
                    f"却下 {format_wareki(timezone.localtime(c.rejected_at).date())}"
                    if c.rejected_at
                    else "却下"
                )
                + f"・理由: {(c.rejected_reason or '記載なし')[:60]}",
                warning=True,
            )
            for c in rejected.select_related("case").order_by("created_at", "id")[:OLDEST]
        ],
    )


def _requests(user) -> QuerySet[SigningRequest]:
    return scope_to_staff(
        SigningRequest.objects.all(), user, "contract__case__department"
    ).select_related("contract", "contract__case")


def _request_counts(user, now) -> dict[str, int]:
    """署名待ち, 送信・同期エラー, 今週の締結 and 取得待ち counted in one query."""
    start, end = week_bounds(now)
    week = Q(status=RequestStatus.CONCLUDED, concluded_at__gte=start, concluded_at__lt=end)
    failing = problem_condition()
    waiting = Q(status=RequestStatus.WAITING)
    missing = Q(status=RequestStatus.CONCLUDED, stored_at__isnull=True)
    return (
        _requests(user)
        .select_related(None)
        .filter(waiting | week | failing | missing)
        .order_by()
        .aggregate(
            waiting=Count("pk", filter=waiting),
            errors=Count("pk", filter=failing),
            concluded=Count("pk", filter=week),
            missing=Count("pk", filter=missing),
        )
    )


def _waiting(user, now, count: int) -> QueueBox:
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
        count=count,
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


def _errors(user, count: int) -> QueueBox:
    failing = with_problems(_requests(user))
    name = "contracts_signingrequest"
    return QueueBox(
        key="errors",
        title="送信・同期エラー",
        count=count,
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


def _concluded(user, now, count: int) -> QueueBox:
    start, end = week_bounds(now)
    done = _requests(user).filter(
        status=RequestStatus.CONCLUDED, concluded_at__gte=start, concluded_at__lt=end
    )
    name = "contracts_signingrequest"
    return QueueBox(
        key="concluded",
        title="今週の締結",
        count=count,
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


def _files_missing(user, count: int) -> QueueBox:
    """Concluded at CloudSign, file not stored: 取得待ち, or 取得不可 (e.g. LGWAN refuses the
    download) until staff upload the PDF."""
    missing = (
        _requests(user)
        .filter(status=RequestStatus.CONCLUDED, stored_at__isnull=True)
        .select_related("contract", "contract__case")
    )
    name = "contracts_signingrequest"
    return QueueBox(
        key="files",
        title="締結書類の取得待ち・取得不可",
        count=count,
        url=changelist_url(
            name,
            {
                "status__exact": RequestStatus.CONCLUDED,
                "stored_at__isempty": "1",
                **_department_param(user, "contract__case__department"),
            },
        ),
        empty="取得待ちの締結書類はありません。",
        items=[
            QueueItem(
                label=f"{r.contract.case.number} {r.contract.title}",
                url=_change(name, r.pk),
                note=(
                    "取得不可（クラウドサインの画面から保存したPDFをアップロードしてください）"
                    if r.store_failed_at
                    else "取得待ち"
                ),
                warning=r.store_failed_at is not None,
            )
            for r in missing.order_by("concluded_at", "id")[:OLDEST]
        ],
    )


def _no_long_term(user, now) -> QueueBox:
    """Signed documents still without CloudSign's document timestamp after the re-fetch window
    (ESIGN_REFETCH_DAYS)."""
    documents = (
        scope_to_staff(
            SignedDocument.objects.all(), user, "signing_request__contract__case__department"
        )
        .filter(long_term=False, refetch_gave_up_at__isnull=False)
        .select_related("signing_request__contract__case")
    )
    name = "contracts_signeddocument"
    return QueueBox(
        key="long_term",
        title="長期署名のない締結書類",
        count=documents.count(),
        url=changelist_url(
            name,
            {
                "long_term__exact": "0",
                "refetch_gave_up_at__isempty": "0",
                **_department_param(user, "signing_request__contract__case__department"),
            },
        ),
        empty="長期署名を待っている書類はありません。",
        items=[
            QueueItem(
                label=(
                    f"{d.signing_request.contract.case.number} {d.signing_request.contract.title}"
                ),
                url=_change(name, d.pk),
                note="文書タイムスタンプ（長期署名）が付与されていません（締結から"
                f"{dt_days(d.signing_request.concluded_at, now)}日）",
                warning=True,
            )
            for d in documents.order_by("refetch_gave_up_at", "id")[:OLDEST]
        ],
    )


def dt_days(moment: dt.datetime | None, now: dt.datetime) -> int:
    return (now - moment).days if moment else 0


def work_queue(user, now: dt.datetime | None = None) -> list[QueueBox]:
    """The 業務ホーム boxes for ``user``, in the order of the day's work."""
    now = now or timezone.now()
    review, returned = _applications(user, now)
    requests_ = _request_counts(user, now)
    return [
        review,
        returned,
        _sureties(user, now),
        _rejected(user),
        _ready(user),
        _waiting(user, now, requests_["waiting"]),
        _errors(user, requests_["errors"]),
        _files_missing(user, requests_["missing"]),
        _no_long_term(user, now),
        _concluded(user, now, requests_["concluded"]),
    ]
