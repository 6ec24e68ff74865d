"""The archive of signed contracts: 電帳法-grade search (date, amount and counterparty ranges,
combined with AND), CSV, the contractor's ZIP export, and the 年度 dashboard figures."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import zipstream
from django import forms
from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Company, Department
from applications.fields import DateField
from cases.constants import Category
from cases.models import Case
from contracts.constants import (
    ContractKind,
    ContractStatus,
    DocumentKind,
    RequestStatus,
    SignatureStatus,
)
from contracts.models import Contract, ContractCorrection, SignedDocument, SigningRequest
from contracts.services import CITY_ORGANIZATION
from contracts.stamp_duty import contract_stamp_duty, stamp_basis
from core.csv_export import csv_bytes
from core.fields import YenField
from core.search import matching_keys
from core.text import normalize, normalize_compact
from core.wareki import fiscal_year, format_wareki
from portal.queue import calendar_days_since

SORTS = {
    "-contract_date": "契約日（新しい順）",
    "contract_date": "契約日（古い順）",
    "-amount": "金額（大きい順）",
    "amount": "金額（小さい順）",
    "case__number": "案件番号順",
}
EMPTY = [("", "すべて")]


class ArchiveSearchForm(forms.Form):
    date_from = DateField(label="契約日（から）", required=False)
    date_to = DateField(label="契約日（まで）", required=False)
    # Amounts as people type them: 「11,000,000」「１１，０００，０００円」.
    amount_min = YenField(label="金額（以上）", required=False)
    amount_max = YenField(label="金額（以下）", required=False)
    amount_basis = forms.ChoiceField(
        label="金額の基準",
        choices=[("incl", "税込"), ("excl", "税抜")],
        required=False,
        initial="incl",
    )
    counterparty = forms.CharField(
        label="取引先（名称・法人番号・業者番号）", required=False, max_length=200
    )
    keyword = forms.CharField(label="キーワード（件名・案件番号）", required=False, max_length=200)
    category = forms.ChoiceField(
        label="契約区分", choices=EMPTY + list(Category.choices), required=False
    )
    department = forms.ModelChoiceField(
        label="担当課", queryset=None, required=False, empty_label="すべて"
    )
    status = forms.ChoiceField(
        label="状態",
        choices=EMPTY + list(ContractStatus.choices),
        required=False,
        initial=ContractStatus.CONCLUDED,
    )
    kind = forms.ChoiceField(
        label="当初／変更", choices=EMPTY + list(ContractKind.choices), required=False
    )
    sort = forms.ChoiceField(label="並び順", choices=list(SORTS.items()), required=False)

    def __init__(self, *args, departments=None, staff=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = (
            departments if departments is not None else Department.objects.all()
        )
        if not staff:
            for name in ("department", "status"):
                del self.fields[name]
            # The contractor's counterparty is the city (index.csv's 取引先), by its 担当課.
            self.fields["counterparty"].label = f"取引先（{CITY_ORGANIZATION}・担当課）"

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("date_from")
            and cleaned.get("date_to")
            and cleaned["date_from"] > cleaned["date_to"]
        ):
            self.add_error("date_to", "契約日の範囲が逆になっています。")
        low, high = cleaned.get("amount_min"), cleaned.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "金額の範囲が逆になっています。")
        return cleaned


def with_amount_excl(qs: QuerySet[Contract]) -> QuerySet[Contract]:
    return qs.annotate(amount_excl=F("amount") - Coalesce("tax_amount", Value(0)))


def search(qs: QuerySet[Contract], data: dict, *, contractor: bool = False) -> QuerySet[Contract]:
    """Every condition given, combined with AND. For a contractor (``contractor``) the 取引先
    is the city: 「足利市」 finds every contract, 「土木課」 or 「足利市土木課」 those of that
    担当課."""
    qs = with_amount_excl(qs)
    if data.get("date_from"):
        qs = qs.filter(contract_date__gte=data["date_from"])
    if data.get("date_to"):
        qs = qs.filter(contract_date__lte=data["date_to"])
    field = "amount_excl" if data.get("amount_basis") == "excl" else "amount"
    if data.get("amount_min") is not None:
        qs = qs.filter(**{f"{field}__gte": data["amount_min"]})
    if data.get("amount_max") is not None:
        qs = qs.filter(**{f"{field}__lte": data["amount_max"]})
    # Text conditions, NFKC on both sides (as core.search): each table searched by its own
    # indexes (trigram on PostgreSQL), the contracts then filtered by the keys found — never
    # icontains through a JOIN.
    counterparty = normalize(data.get("counterparty"))
    if counterparty and contractor:
        if counterparty not in CITY_ORGANIZATION:
            name = counterparty.removeprefix(CITY_ORGANIZATION).strip()
            departments = Department.objects.filter(name__nfkc__icontains=name)
            qs = qs.filter(case__department__in=matching_keys(departments))
    elif counterparty:
        number = normalize_compact(counterparty).replace("-", "")
        condition = Q(name__nfkc__icontains=counterparty) | Q(
            vendor_number__iexact=normalize_compact(counterparty)
        )
        if number.isdigit() and len(number) == 13:
            condition |= Q(corporate_number=number)
        qs = qs.filter(case__awarded_company__in=matching_keys(Company.objects.filter(condition)))
    keyword = normalize(data.get("keyword"))
    if keyword:
        cases = Case.objects.filter(number__nfkc__icontains=keyword)
        if contractor:  # its own cases only (~110), not every case's number (10,000: ~7 ms)
            own = qs.order_by().values_list("case", flat=True).distinct()
            cases = cases.filter(pk__in=list(own))
        cases = matching_keys(cases)
        qs = qs.filter(Q(title__nfkc__icontains=keyword) | Q(case__in=cases))
    if data.get("category"):
        qs = qs.filter(case__category=data["category"])
    if data.get("department"):
        qs = qs.filter(case__department=data["department"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    sort = data.get("sort") or "-contract_date"
    return qs.order_by(sort, "-id")


def with_documents(qs: QuerySet[Contract]) -> QuerySet[Contract]:
    """Everything a result row shows, in a fixed number of queries."""
    concluded = SigningRequest.objects.filter(status=RequestStatus.CONCLUDED).prefetch_related(
        Prefetch(
            "documents",
            queryset=SignedDocument.objects.select_related("stored_file").order_by("kind", "id"),
        )
    )
    # 訂正あり as EXISTS per row: a Count() would GROUP BY the whole result before the LIMIT.
    return (
        qs.select_related("case", "case__awarded_company", "case__department", "original")
        .prefetch_related(
            Prefetch("signing_requests", queryset=concluded, to_attr="concluded_requests")
        )
        .annotate(corrected=Exists(ContractCorrection.objects.filter(contract=OuterRef("pk"))))
    )


def documents_of(contract: Contract) -> list[SignedDocument]:
    return [d for r in getattr(contract, "concluded_requests", []) for d in r.documents.all()]


ARCHIVE_CSV_HEADERS = [
    "案件番号",
    "契約件名",
    "当初/変更",
    "契約区分",
    "担当課",
    "取引先",
    "法人番号",
    "業者番号",
    "契約日",
    "契約日（和暦）",
    "契約金額（税込）",
    "契約金額（税抜）",
    "状態",
    "締結済み契約書",
    "SHA-256",
    "電子署名",
    "合意締結証明書 SHA-256",
    "印紙税相当額",
    "印紙税の根拠",
]


CSV_CHUNK = 500
FILE_FIELDS = (
    "signing_request__contract_id",
    "kind",
    "sha256",
    "signature_status",
    "stored_file__original_name",
)


def csv_rows(contracts: QuerySet[Contract]) -> Iterator[list]:
    """The search result as CSV rows: amounts as integers, dates in ISO and 和暦, one row per
    contract with its signed files' hashes (headers: ``ARCHIVE_CSV_HEADERS``).

    Two queries however many rows: the contracts with their case, company, department and
    original contract (the stamp duty of a 変更契約 needs it) joined, and the signed files of
    the same contracts in the same order; both are read as streams (server-side cursors on
    PostgreSQL, ``CSV_CHUNK`` rows at a time) and merged, so memory stays flat too."""
    order = _total_order(contracts)
    prefixed = [_through_request(field) for field in order]
    contracts = contracts.order_by(*order)
    if None in prefixed:  # an order the files cannot follow: their files per chunk instead
        yield from _csv_by_chunk(contracts)
        return
    files = (
        SignedDocument.objects.filter(
            signing_request__contract__in=contracts.values("pk"),
            signing_request__status=RequestStatus.CONCLUDED,
        )
        .order_by(*prefixed, "signing_request_id", "kind", "id")
        .values_list(*FILE_FIELDS)
        .iterator(chunk_size=CSV_CHUNK)
    )
    pending = next(files, None)
    for contract in _joined(contracts).iterator(chunk_size=CSV_CHUNK):
        docs = []
        while pending is not None and pending[0] == contract.pk:
            docs.append(dict(zip(FILE_FIELDS, pending, strict=True)))
            pending = next(files, None)
        yield _csv_row(contract, docs)


def _total_order(contracts: QuerySet[Contract]) -> list[str]:
    order = list(contracts.query.order_by or Contract._meta.ordering)
    if not any(str(f).lstrip("-") in ("id", "pk") for f in order):
        order.append("-id")
    return order


def _through_request(field) -> str | None:
    """``field`` of the contract as seen from a signed document (None for an expression)."""
    if not isinstance(field, str) or field.lstrip("-").startswith("amount_excl"):
        return None
    desc = "-" if field.startswith("-") else ""
    return f"{desc}signing_request__contract__{field.lstrip('-')}"


def _joined(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    return contracts.select_related("case", "case__awarded_company", "case__department", "original")


def _csv_by_chunk(contracts: QuerySet[Contract]) -> Iterator[list]:
    batch: list[Contract] = []
    for contract in _joined(contracts).iterator(chunk_size=CSV_CHUNK):
        batch.append(contract)
        if len(batch) == CSV_CHUNK:
            yield from _csv_batch(batch)
            batch = []
    if batch:
        yield from _csv_batch(batch)


def _csv_batch(contracts: list[Contract]) -> Iterator[list]:
    files: dict[int, list[dict]] = {}
    for d in (
        SignedDocument.objects.filter(
            signing_request__contract__in=[c.pk for c in contracts],
            signing_request__status=RequestStatus.CONCLUDED,
        )
        .order_by("signing_request_id", "kind", "id")
        .values(*FILE_FIELDS)
    ):
        files.setdefault(d["signing_request__contract_id"], []).append(d)
    for c in contracts:
        yield _csv_row(c, files.get(c.pk, []))


SIGNATURE_LABELS = dict(SignatureStatus.choices)


def _csv_row(c: Contract, docs: list[dict]) -> list:
    signed = [d for d in docs if d["kind"] == DocumentKind.SIGNED]
    certificates = [d for d in docs if d["kind"] == DocumentKind.CERTIFICATE]
    company = c.case.awarded_company
    return [
        c.case.number,
        c.title,
        c.get_kind_display(),
        c.case.get_category_display(),
        c.case.department.name,
        company.name if company else "",
        company.corporate_number if company else "",
        company.vendor_number if company else "",
        c.contract_date.isoformat() if c.contract_date else "",
        format_wareki(c.contract_date) if c.contract_date else "",
        c.amount,
        c.amount - (c.tax_amount or 0),
        c.get_status_display(),
        " / ".join(d["stored_file__original_name"] for d in signed),
        " / ".join(d["sha256"] for d in signed),
        " / ".join(SIGNATURE_LABELS.get(d["signature_status"], "") for d in signed),
        " / ".join(d["sha256"] for d in certificates),
        contract_stamp_duty(c) if c.status == ContractStatus.CONCLUDED else "",
        stamp_basis(c) if c.status == ContractStatus.CONCLUDED else "",
    ]


def safe_name(name: str) -> str:
    """A name usable as a file or folder name inside a ZIP."""
    return "".join("_" if ch in '\\/:*?"<>|' else ch for ch in name).strip() or "file"


INDEX_HEADERS = [
    "取引年月日",
    "取引金額",
    "取引先",
    "件名",
    "案件番号",
    "書類",
    "ファイル名",
    "SHA-256",
]


ZIP_READ = 1 << 20  # bytes read from storage at a time


def _file_chunks(stored_file) -> Iterator[bytes]:
    """The file's bytes, read only when the stream reaches it, one chunk at a time."""
    with stored_file.file.open("rb") as fh:
        while chunk := fh.read(ZIP_READ):
            yield chunk


def contractor_zip(contracts) -> Iterator[bytes]:
    """The selected signed contracts for the contractor's own storage under 電子帳簿保存法:
    signed PDFs, certificates and index.csv (取引年月日, 取引金額, 取引先, 件名, ファイル名,
    sha256) — streamed: each file is read in chunks as the ZIP is sent, so the worker's memory
    stays flat whatever the number and size of the files (PDFs are stored, not deflated)."""
    stream = zipstream.ZipStream(compress_type=zipstream.ZIP_STORED)
    index_rows = []
    for c in contracts:
        folder = safe_name(f"{c.contract_date or ''}_{c.case.number}_{c.title}")[:120]
        for d in documents_of(c):
            name = f"{folder}/{safe_name(d.stored_file.original_name)}"
            stream.add(_file_chunks(d.stored_file), name)
            index_rows.append(
                [
                    c.contract_date.isoformat() if c.contract_date else "",
                    c.amount,
                    CITY_ORGANIZATION,  # the contractor's counterparty in every contract
                    c.title,
                    c.case.number,
                    d.get_kind_display(),
                    name,
                    d.sha256,
                ]
            )
    stream.add(
        csv_bytes(INDEX_HEADERS, index_rows), "index.csv", compress_type=zipstream.ZIP_DEFLATED
    )
    return iter(stream)


# --- dashboard ------------------------------------------------------------------------------


@dataclass
class Figures:
    sent: int
    concluded: int
    rejected: int
    canceled: int
    median_days: float | None
    waiting_contractor: int
    waiting_city: int
    stamp_duty_saved: int
    applications_waiting: int
    applications_oldest_days: int | None
    sureties_waiting: int
    monthly: list[tuple[str, int]]


def fiscal_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime(year, 4, 1, tzinfo=tz),
        dt.datetime(year + 1, 4, 1, tzinfo=tz),
    )


def dashboard(*, year: int, cases) -> Figures:
    """The 年度's figures for the given cases (a department's, or all)."""
    from applications.models import Application
    from surety.models import SuretyCertificate

    start, end = fiscal_bounds(year)

    def of_cases(qs, path: str):
        # Every case (契約管財課): no IN (SELECT every case) for the database to work through.
        return qs.filter(**{f"{path}__in": cases}) if cases.query.has_filters() else qs

    requests_ = of_cases(SigningRequest.objects.all(), "contract__case")
    sent = requests_.filter(sent_at__gte=start, sent_at__lt=end)
    concluded = requests_.filter(
        status=RequestStatus.CONCLUDED, concluded_at__gte=start, concluded_at__lt=end
    )
    closed = requests_.filter(closed_at__gte=start, closed_at__lt=end)
    # one read of the year's conclusions: the count, the durations and the months
    conclusions = list(concluded.values_list("sent_at", "concluded_at"))
    durations = [(c - s).total_seconds() / 86400 for s, c in conclusions if s is not None]
    waiting = Counter(
        requests_.filter(status=RequestStatus.WAITING, signers__state="waiting").values_list(
            "signers__role", flat=True
        )
    )
    concluded_contracts = (
        of_cases(Contract.objects.all(), "case")
        .filter(
            status=ContractStatus.CONCLUDED,
            signing_requests__concluded_at__gte=start,
            signing_requests__concluded_at__lt=end,
        )
        .select_related("case", "original")
        .distinct()
    )
    saved = sum(contract_stamp_duty(c) for c in concluded_contracts)
    now = timezone.now()
    submitted = (
        of_cases(Application.objects.all(), "case")
        .filter(status="submitted")
        .aggregate(n=Count("pk"), oldest=Min("submitted_at"))
    )
    months = Counter(timezone.localtime(t).strftime("%Y-%m") for _, t in conclusions)
    monthly = []
    for i in range(12):
        month = dt.date(year + (3 + i) // 12, (3 + i) % 12 + 1, 1)
        monthly.append((f"{month.month}月", months.get(month.strftime("%Y-%m"), 0)))
    return Figures(
        sent=sent.count(),
        concluded=len(conclusions),
        rejected=closed.filter(status=RequestStatus.REJECTED).count(),
        canceled=closed.filter(status=RequestStatus.CANCELED).count(),
        median_days=round(statistics.median(durations), 1) if durations else None,
        waiting_contractor=waiting.get("contractor", 0),
        waiting_city=waiting.get("city", 0),
        stamp_duty_saved=saved,
        applications_waiting=submitted["n"],
        # Calendar days, as the 業務ホーム counts them (yesterday 23:00 is 1日, not 本日).
        applications_oldest_days=(
            calendar_days_since(submitted["oldest"], now) if submitted["oldest"] else None
        ),
        sureties_waiting=of_cases(SuretyCertificate.objects.all(), "case")
        .filter(status="received")
        .count(),
        monthly=monthly,
    )


def chart_svg(monthly: list[tuple[str, int]]) -> str:
    """A small bar chart (server-rendered SVG, accessible name and a text alternative)."""
    from django.utils.html import escape

    width, height, pad = 480, 160, 24
    top = max((n for _, n in monthly), default=0) or 1
    bar = (width - 2 * pad) / len(monthly)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 30}" '
        f'role="img" aria-label="月別の締結件数" width="100%" style="max-width:{width}px">'
    ]
    for i, (label, n) in enumerate(monthly):
        h = (height - pad) * n / top
        x = pad + i * bar
        parts.append(
            f'<rect x="{x + 4:.1f}" y="{height - h:.1f}" width="{bar - 8:.1f}" height="{h:.1f}" '
            f'fill="#0017c1"><title>{escape(label)}: {n}件</title></rect>'
            f'<text x="{x + bar / 2:.1f}" y="{height + 16}" font-size="11" text-anchor="middle">'
            f"{escape(label)}</text>"
            f'<text x="{x + bar / 2:.1f}" y="{height - h - 4:.1f}" font-size="11" '
            f'text-anchor="middle">{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def current_fiscal_year() -> int:
    return fiscal_year(timezone.localdate())
