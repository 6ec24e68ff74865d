"""工事履行報告書: filed with the 中間前金払認定請求書 (施行規則附則第3条; docs/domain.md
「中間前金払」)."""

from __future__ import annotations

from django import forms

from applications.fields import DateField, YenField
from applications.kinds.base import REQUIRED, KindForm, text
from applications.kinds.registry import BUILD, register

ON_TRACK = [("yes", "終わっている"), ("no", "終わっていない")]


@register("work_report", "工事履行報告書", BUILD)
class WorkReportForm(KindForm):
    """The work done by the report date: the 出来高 planned and done, the cost incurred, and
    whether what the 工程表 schedules for half the 工期 is done."""

    date_field = "reported_on"
    pdf_intro = "中間前金払の認定を請求するため、工事の履行状況を次のとおり報告します。"

    reported_on = DateField(label="報告日（履行状況の基準日）", error_messages=REQUIRED)
    planned_rate = forms.IntegerField(
        label="工程表による予定出来高（％）",
        min_value=0,
        max_value=100,
        error_messages={**REQUIRED, "invalid": "0から100までの数字で入力してください。"},
    )
    actual_rate = forms.IntegerField(
        label="実施出来高（％）",
        min_value=0,
        max_value=100,
        error_messages={**REQUIRED, "invalid": "0から100までの数字で入力してください。"},
    )
    cost_incurred = YenField(
        label="既に行われた工事の価格（円）", not_above_case=True, error_messages=REQUIRED
    )
    schedule_on_track = forms.ChoiceField(
        label="工程表で工期の2分の1までに行うこととされている作業",
        choices=ON_TRACK,
        widget=forms.RadioSelect,
        error_messages=REQUIRED,
    )
    remarks = text("工事の状況（主な作業と進み具合）")

    def clean(self):
        cleaned = super().clean()
        self.in_period("reported_on", cleaned.get("reported_on"), label="報告日")
        return cleaned
