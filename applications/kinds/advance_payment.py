"""⑤ 前金払申請書及び前払金請求書 (also the 中間前払金)."""

from __future__ import annotations

from django import forms

from applications.fields import DateField, DigitsField, GuaranteeNumberField, YenField
from applications.kinds.base import REQUIRED, KindForm, char
from applications.kinds.registry import BOTH, register
from applications.kinds.rules import advance_limit
from applications.selectors import (
    advance_problems,
    filed_amount,
    midterm_certified,
    midterm_chosen,
    midterm_limit,
)
from cases.constants import ADVANCE_RATIO
from core.text import fold_dashes
from core.wareki import format_wareki

PAYMENT_TYPES = [("advance", "前払金"), ("midterm", "中間前払金")]


@register("advance_payment", "前金払申請書及び前払金請求書", BOTH, needed="advance")
class AdvancePaymentForm(KindForm):
    """⑤ 前金払申請書及び前払金請求書 — also for the 中間前払金 (工事, after ④ chose 中間前金払)."""

    payment_type = forms.ChoiceField(
        label="請求の種類",
        choices=PAYMENT_TYPES,
        required=False,
        initial="advance",
        help_text="中間前払金は「中間前金払と部分払の選択に係る届出書」で中間前金払を選んだ工事だけです。",
    )
    requested_amount = YenField(
        label="前払金請求額（円）", min_value=10_000, error_messages=REQUIRED
    )
    guarantor = char("保証事業会社名", max_length=100, initial="東日本建設業保証株式会社")
    guarantee_number = GuaranteeNumberField(label="保証契約番号")
    guarantee_amount = YenField(label="保証金額（円）", not_above_case=True)
    guarantee_until = DateField(label="保証期限", error_messages=REQUIRED)
    certificate_form = forms.ChoiceField(
        label="保証証書の形式",
        choices=[("electronic", "電子保証（保証契約番号と認証キー）"), ("paper", "紙の保証証書")],
        error_messages=REQUIRED,
    )
    bank_name = char("預託金融機関（前払金専用口座）", max_length=100)
    branch_name = char("支店名", max_length=100)
    account_type = forms.ChoiceField(
        label="預金種別", choices=[("ordinary", "普通"), ("settlement", "決済用")]
    )
    account_number = DigitsField(
        label="口座番号",
        length=7,
        message="口座番号は7桁の数字で入力してください。",
        error_messages=REQUIRED,
    )
    account_holder = char("口座名義", max_length=100)

    def clean_guarantee_number(self) -> str:
        return fold_dashes(self.cleaned_data["guarantee_number"]).upper()

    def clean_payment_type(self) -> str:
        return self.cleaned_data.get("payment_type") or "advance"

    def check_amount(self, amount: int) -> None:
        """The 前払金's own rules: the case has one; at most 4割 (3割), 1万円未満切捨."""
        if self.cleaned_data.get("payment_type") == "midterm":
            self.check_midterm(amount)
            return
        problems = advance_problems(self.case)
        if problems:
            self.add_error("requested_amount", problems[0])
            return
        limit = advance_limit(self.case)
        ratio = ADVANCE_RATIO.get(self.case.category)
        if limit is None:
            self.add_error("requested_amount", "この案件の契約区分には前払金がありません。")
        elif amount % 10_000:
            self.add_error(
                "requested_amount", "前払金請求額は1万円未満を切り捨てた額で入力してください。"
            )
        elif amount > limit:
            self.add_error(
                "requested_amount",
                f"前払金請求額は請負金額の{ratio}％（1万円未満切捨て）以内、"
                f"{limit:,}円以下で入力してください。",
            )

    def check_midterm(self, amount: int) -> None:
        """中間前払金: only after 中間前金払 was chosen (④); at most 2割 of the 請負金額 and 6割
        together with the 前払金 (docs/domain.md §4.2-7, S-P1..S-P3)."""
        if not midterm_chosen(self.case):
            self.add_error(
                "payment_type",
                "「中間前金払と部分払の選択に係る届出書」で中間前金払を選んでいないため、"
                "中間前払金は請求できません。",
            )
            return
        if filed_amount(self.case, "advance") is None:
            self.add_error(
                "payment_type",
                "中間前払金は既にした前払金に追加して支払うものです。"
                "先に前払金を請求してください。",
            )
            return
        if not midterm_certified(self.case):
            self.add_error(
                "payment_type",
                "中間前金払の認定を受けていないため、中間前払金は請求できません。"
                "「工事履行報告書」と「中間前金払認定請求書」を提出し、市の認定を受けてください。",
            )
            return
        problems = advance_problems(self.case)
        if problems:
            self.add_error("requested_amount", problems[0])
            return
        limit = midterm_limit(self.case) or 0
        if amount % 10_000:
            self.add_error(
                "requested_amount", "中間前払金請求額は1万円未満を切り捨てた額で入力してください。"
            )
        elif amount > limit:
            advance = filed_amount(self.case, "advance") or 0
            self.add_error(
                "requested_amount",
                f"中間前払金は請負金額の2割以内、前払金（{advance:,}円）との合計で6割以内です。"
                f"{limit:,}円以下で入力してください。",
            )

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("requested_amount")
        if amount is not None:
            self.check_amount(amount)
        guarantee = cleaned.get("guarantee_amount")
        if amount is not None and guarantee is not None and guarantee != amount:
            # 保証金額 = 前払金 (docs/domain.md §1.6; the staff check demands the same)
            self.add_error(
                "guarantee_amount",
                f"保証金額は請求額（{amount:,}円）と同じ額にしてください"
                f"（保証金額が請求額を{'下回って' if guarantee < amount else '上回って'}います）。",
            )
        until = cleaned.get("guarantee_until")
        if until and self.case.period_end and until < self.case.period_end:
            self.add_error(
                "guarantee_until",
                f"保証期限は工期の終期（{format_wareki(self.case.period_end)}）以降にしてください。",
            )
        return cleaned
