"""② 現場代理人及び主任技術者等選任通知書."""

from __future__ import annotations

import datetime as dt

from django import forms

from applications.fields import DateField
from applications.kinds.base import REQUIRED, KindForm, char, text
from applications.kinds.registry import BUILD, register
from applications.kinds.rules import dual_site_problems, full_time_threshold
from applications.selectors import contract_date_of
from core.wareki import format_wareki


def works_header(case) -> list[tuple[str, str]]:
    """工事名, 工事場所, 契約日, 工期, 請負代金額: the header of the 工事's own 様式."""
    made_on = contract_date_of(case)
    period = (
        f"{format_wareki(case.period_start)}〜{format_wareki(case.period_end)}"
        if case.period_start and case.period_end
        else ""
    )
    return [
        ("工事名", case.title),
        ("工事場所", case.place),
        ("契約日", format_wareki(made_on) if made_on else ""),
        ("工期", period),
        ("請負代金額", f"{case.amount:,}円" if case.amount else ""),
    ]


DUAL_FIELDS = ["dual_other_title", "dual_liaison", "dual_pledge"]


@register("site_agent", "現場代理人及び主任技術者等選任通知書", BUILD, needed=True)
class SiteAgentForm(KindForm):
    agent_name = char("現場代理人 氏名")
    agent_kana = char("現場代理人 ふりがな")
    agent_authority = text(
        "現場代理人の権限",
        initial="契約書第10条第2項に定める権限（請負代金額の変更、契約の解除等に係るものを除く）",
    )
    agent_objection = text(
        "現場代理人に関する意見の申出の方法", initial="書面により受注者に申し出る"
    )
    engineer_role = forms.ChoiceField(
        label="技術者の区分",
        choices=[("chief", "主任技術者"), ("supervising", "監理技術者")],
        error_messages=REQUIRED,
    )
    engineer_name = char("技術者 氏名")
    engineer_kana = char("技術者 ふりがな")
    engineer_qualification = char("技術者の資格（名称）", max_length=200)
    engineer_license = char(
        "資格者証等の番号（監理技術者は監理技術者資格者証の番号）", max_length=50, required=False
    )
    works_kind = forms.ChoiceField(
        label="工事の種類",
        choices=[("other", "建築一式工事以外"), ("building", "建築一式工事")],
        initial="other",
        required=False,
        help_text="専任が必要となる請負代金額が異なります（建築一式工事は2倍）。",
    )
    full_time = forms.ChoiceField(
        label="専任・非専任",
        choices=[
            ("full", "専任"),
            ("dual", "専任（兼任特例: 2現場まで・令和6年12月13日以降の契約）"),
            ("part", "非専任"),
        ],
        error_messages=REQUIRED,
    )
    dual_other_title = char(
        "兼任する他の工事（発注者・工事名・場所）", required=False, max_length=200
    )
    dual_liaison = char("連絡員 氏名・連絡先", required=False, max_length=200)
    dual_pledge = forms.BooleanField(
        label="兼任特例の要件（現場間の移動時間、情報通信機器による確認体制、"
        "人員配置計画書の作成・保存 等）を満たしています",
        required=False,
    )
    start_on = DateField(label="配置開始日", error_messages=REQUIRED)
    assistant_name = char("監理技術者補佐 氏名（置く場合）", required=False)
    assistant_qualification = char("監理技術者補佐 資格（名称）", required=False, max_length=200)
    specialist_name = char("専門技術者 氏名（置く場合）", required=False)
    specialist_qualification = char("専門技術者 資格（名称）", required=False, max_length=200)
    specialist_scope = char("専門技術者 担当する工事の内容", required=False, max_length=200)

    sections = [
        ("現場代理人", ["agent_name", "agent_kana", "agent_authority", "agent_objection"]),
        (
            "主任技術者又は監理技術者",
            [
                "engineer_role",
                "engineer_name",
                "engineer_kana",
                "engineer_qualification",
                "engineer_license",
                "works_kind",
                "full_time",
                "start_on",
            ],
        ),
        ("兼任特例（専任の技術者が2現場を兼任する場合）", DUAL_FIELDS),
        ("監理技術者補佐", ["assistant_name", "assistant_qualification"]),
        ("専門技術者", ["specialist_name", "specialist_qualification", "specialist_scope"]),
    ]

    def pdf_header(self) -> list[tuple[str, str]]:
        return works_header(self.case)

    def check_dual(self, made_on: dt.date, amount: int | None, *, building: bool) -> None:
        """専任 on two sites (rules.dual_site_problems): the other site, the 連絡員, the pledge."""
        for problem in dual_site_problems(made_on, amount, building=building):
            self.add_error("full_time", problem)
        cleaned = self.cleaned_data
        if not cleaned.get("dual_other_title"):
            self.add_error("dual_other_title", "兼任する他の工事を入力してください。")
        if not cleaned.get("dual_liaison"):
            self.add_error("dual_liaison", "連絡員の氏名・連絡先を入力してください。")
        if not cleaned.get("dual_pledge"):
            self.add_error("dual_pledge", "兼任特例の要件を満たしていることの確認が必要です。")

    def clean(self):
        cleaned = super().clean()
        self.in_period("start_on", cleaned.get("start_on"), label="配置開始日")
        if cleaned.get("engineer_role") == "supervising" and not cleaned.get("engineer_license"):
            self.add_error(
                "engineer_license", "監理技術者は監理技術者資格者証の番号を入力してください。"
            )
        made_on = contract_date_of(self.case) or dt.date.today()
        building = cleaned.get("works_kind") == "building"
        threshold = full_time_threshold(made_on, building=building)
        amount = self.case.amount
        if threshold and amount and amount >= threshold and cleaned.get("full_time") == "part":
            dual = dual_site_problems(made_on, amount, building=building)
            self.add_error(
                "full_time",
                f"請負代金額が{threshold:,}円以上（{'建築一式工事、' if building else ''}"
                f"{format_wareki(made_on)}の契約）のため、技術者は専任としてください"
                "（建設業法第26条第3項）。"
                + ("" if dual else "2現場を兼任する場合は「専任（兼任特例）」を選んでください。"),
            )
        if cleaned.get("full_time") == "dual":
            self.check_dual(made_on, amount, building=building)
        else:
            for name in DUAL_FIELDS:
                cleaned.pop(name, None)
        for name, qualification, label in (
            ("assistant_name", "assistant_qualification", "監理技術者補佐"),
            ("specialist_name", "specialist_qualification", "専門技術者"),
        ):
            if cleaned.get(name) and not cleaned.get(qualification):
                self.add_error(qualification, f"{label}の資格を入力してください。")
            if cleaned.get(qualification) and not cleaned.get(name):
                self.add_error(name, f"{label}の氏名を入力してください。")
        if cleaned.get("specialist_name") and not cleaned.get("specialist_scope"):
            self.add_error("specialist_scope", "専門技術者が担当する工事の内容を入力してください。")
        if cleaned.get("assistant_name") and cleaned.get("engineer_role") != "supervising":
            self.add_error("assistant_name", "監理技術者補佐は監理技術者を置く場合に配置します。")
        return cleaned
