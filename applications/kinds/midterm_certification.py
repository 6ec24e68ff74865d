"""中間前金払認定請求書: the contractor asks staff to certify that the conditions of
地方自治法施行規則附則第3条 are met; only once certified may the 中間前払金 be requested
(docs/domain.md 「中間前金払」)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone

from applications.kinds.base import KindForm, text
from applications.kinds.registry import BUILD, register
from applications.kinds.rules import midterm_certification_problems
from applications.kinds.work_report import WorkReportForm
from applications.selectors import filed_amount, latest_filed, midterm_chosen

# The fields of the latest filed 工事履行報告書 the 認定 rests on.
REPORT_KIND = "work_report"


def report_figures(case) -> dict | None:
    """The latest filed 工事履行報告書's data, or None when none is filed."""
    report = latest_filed(case, REPORT_KIND)
    return report.data if report is not None else None


def certification_problems(case, *, on=None) -> list[str]:
    """rules.midterm_certification_problems for ``case`` with the city's settings, the filed
    前払金 and the latest filed 工事履行報告書."""
    report = report_figures(case)
    problems = []
    if report is None:
        problems.append(
            "工事履行報告書が提出されていません。先に「工事履行報告書」を提出してください。"
        )
        report = {}
    cost = report.get("cost_incurred")
    on_track = report.get("schedule_on_track")
    problems += midterm_certification_problems(
        amount=case.amount,
        period_start=case.period_start,
        period_end=case.period_end,
        on=on or timezone.localdate(),
        min_amount=settings.MIDTERM_MIN_AMOUNT,
        min_period_days=settings.MIDTERM_MIN_PERIOD_DAYS,
        midterm_chosen=midterm_chosen(case),
        advance_filed=filed_amount(case, "advance") is not None,
        schedule_on_track=None if on_track is None else on_track == "yes",
        cost_incurred=cost if isinstance(cost, int) else None,
    )
    return problems


@register("midterm_certification", "中間前金払認定請求書", BUILD)
class MidtermCertificationForm(KindForm):
    pdf_intro = (
        "中間前金払を受けたいので、工事履行報告書を添えて、"
        "中間前金払の要件を満たしていることの認定を請求します。"
    )
    pledge = forms.BooleanField(
        label="この工事について部分払の請求はいたしません",
    )
    note = text("備考", required=False)

    def clean(self):
        cleaned = super().clean()
        for problem in certification_problems(self.case):
            self.add_error(None, problem)
        return cleaned


__all__ = ["MidtermCertificationForm", "WorkReportForm", "certification_problems"]
