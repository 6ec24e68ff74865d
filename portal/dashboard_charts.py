"""The 年度 dashboard's pictures: this year against last year, amounts by month, by 担当課 and
the spread of days from 送信 to 締結. Each is a server-drawn SVG (no JavaScript) with the table
behind it, so that the figures can be read by a screen reader or copied.

Two queries per page whatever the number of contracts: the year's conclusions (with amount,
department and the two moments) and last year's conclusion months.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from contracts.constants import RequestStatus
from contracts.models import SigningRequest

COLORS = ("#205493", "#9aa5b1")  # this year, last year (contrast ≥ 3:1 on white)
# 送信→締結 in whole days, as people would group them.
DAY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("当日", 0, 0),
    ("1日", 1, 1),
    ("2〜3日", 2, 3),
    ("4〜7日", 4, 7),
    ("8〜14日", 8, 14),
    ("15〜30日", 15, 30),
    ("31日以上", 31, None),
)


@dataclass
class Chart:
    key: str
    title: str
    svg: SafeString
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


def _months(year: int) -> list[dt.date]:
    return [dt.date(year + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(12)]


def _bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 4, 1, tzinfo=tz), dt.datetime(year + 1, 4, 1, tzinfo=tz)


def _concluded(year: int, cases):
    start, end = _bounds(year)
    qs = SigningRequest.objects.filter(
        status=RequestStatus.CONCLUDED, concluded_at__gte=start, concluded_at__lt=end
    )
    # Every case (契約管財課): no IN (SELECT every case) for the database to work through.
    return qs.filter(contract__case__in=cases) if cases.query.has_filters() else qs


def _yen_short(amount: int) -> str:
    """An axis label: 1億2,000万円 → 「1.2億円」, 35,000,000 → 「3,500万円」."""
    if amount >= 100_000_000:
        return f"{amount / 100_000_000:.1f}億円"
    if amount >= 10_000:
        return f"{amount // 10_000:,}万円"
    return f"{amount:,}円"


def bars_svg(
    labels: list[str],
    series: list[tuple[str, list[float]]],
    *,
    name: str,
    value_label=str,
) -> SafeString:
    """Vertical bars, grouped when there are two series (with a legend); the values written
    above the bars. Labels are escaped; numbers are formatted by ``value_label``."""
    width, height, pad, bottom = 640, 200, 28, 36
    top = max((v for _, values in series for v in values), default=0) or 1
    group = (width - 2 * pad) / max(len(labels), 1)
    bar = (group - 6) / max(len(series), 1)
    legend = 18 if len(series) > 1 else 0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + bottom + legend}"'
        f' role="img" aria-label="{escape(name)}" width="100%" style="max-width:{width}px">'
    ]
    for s, (series_name, values) in enumerate(series):
        color = COLORS[s % len(COLORS)]
        for i, value in enumerate(values):
            h = (height - pad) * value / top
            x = pad + i * group + 3 + s * bar
            parts.append(
                f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{max(bar - 2, 1):.1f}" '
                f'height="{h:.1f}" fill="{color}"><title>{escape(labels[i])} '
                f"{escape(series_name)}: {escape(value_label(value))}</title></rect>"
            )
            if value and len(series) == 1:
                parts.append(
                    f'<text x="{x + bar / 2:.1f}" y="{height - h - 4:.1f}" font-size="10" '
                    f'text-anchor="middle">{escape(value_label(value))}</text>'
                )
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{pad + i * group + group / 2:.1f}" y="{height + 16}" font-size="11" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    if legend:
        for s, (series_name, _) in enumerate(series):
            x = pad + s * 160
            parts.append(
                f'<rect x="{x}" y="{height + bottom}" width="12" height="12" '
                f'fill="{COLORS[s % len(COLORS)]}"/><text x="{x + 16}" y="{height + bottom + 11}"'
                f' font-size="11">{escape(series_name)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only


def dashboard_charts(*, year: int, cases, year_label: str, last_label: str) -> list[Chart]:
    """The four pictures of the 年度 ``year`` for ``cases`` (a department's, or all)."""
    months = _months(year)
    labels = [f"{m.month}月" for m in months]
    index = {(m.year, m.month): i for i, m in enumerate(months)}

    this_count = [0] * 12
    amounts = [0] * 12
    by_dept: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    days: list[int] = []
    rows = _concluded(year, cases).values_list(
        "concluded_at", "sent_at", "contract__amount", "contract__case__department__name"
    )
    for concluded_at, sent_at, amount, department in rows:
        local = timezone.localtime(concluded_at)
        i = index.get((local.year, local.month))
        if i is not None:
            this_count[i] += 1
            amounts[i] += amount or 0
        by_dept[department or "（担当課なし）"][0] += 1
        by_dept[department or "（担当課なし）"][1] += amount or 0
        if sent_at is not None:
            days.append(max((local.date() - timezone.localtime(sent_at).date()).days, 0))

    last_months = Counter(
        (t.year, t.month)
        for t in (
            timezone.localtime(c)
            for c in _concluded(year - 1, cases).values_list("concluded_at", flat=True)
        )
    )
    last_count = [last_months.get((m.year - 1, m.month), 0) for m in months]

    charts = [
        Chart(
            key="years",
            title=f"月別の締結件数（{year_label}と{last_label}）",
            svg=bars_svg(
                labels,
                [(year_label, this_count), (last_label, last_count)],
                name=f"月別の締結件数。{year_label}と{last_label}の比較",
                value_label=lambda v: f"{int(v)}件",
            ),
            headers=["月", year_label, last_label],
            rows=[
                [label, f"{a}件", f"{b}件"]
                for label, a, b in zip(labels, this_count, last_count, strict=True)
            ]
            + [["合計", f"{sum(this_count)}件", f"{sum(last_count)}件"]],
        ),
        Chart(
            key="amounts",
            title="月別の締結金額（税込）",
            svg=bars_svg(
                labels,
                [(year_label, amounts)],
                name="月別の締結金額",
                value_label=lambda v: _yen_short(int(v)) if v else "",
            ),
            headers=["月", "締結金額（税込）"],
            rows=[[label, f"{a:,}円"] for label, a in zip(labels, amounts, strict=True)]
            + [["合計", f"{sum(amounts):,}円"]],
        ),
    ]
    departments = sorted(by_dept.items(), key=lambda item: (-item[1][1], item[0]))
    charts.append(
        Chart(
            key="departments",
            title="担当課別の締結（件数・金額）",
            svg=bars_svg(
                [name for name, _ in departments],
                [("締結金額", [v[1] for _, v in departments])],
                name="担当課別の締結金額",
                value_label=lambda v: _yen_short(int(v)) if v else "",
            ),
            headers=["担当課", "件数", "締結金額（税込）"],
            rows=[[name, f"{n}件", f"{a:,}円"] for name, (n, a) in departments],
        )
    )
    spread = [
        sum(1 for d in days if low <= d and (high is None or d <= high))
        for _, low, high in DAY_BUCKETS
    ]
    charts.append(
        Chart(
            key="days",
            title="送信から締結までの日数の分布",
            svg=bars_svg(
                [label for label, _, _ in DAY_BUCKETS],
                [("件数", spread)],
                name="送信から締結までの日数の分布",
                value_label=lambda v: f"{int(v)}件" if v else "",
            ),
            headers=["送信から締結まで", "件数"],
            rows=[[label, f"{n}件"] for (label, _, _), n in zip(DAY_BUCKETS, spread, strict=True)],
        )
    )
    return charts
