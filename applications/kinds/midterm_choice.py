"""④ 中間前金払と部分払の選択に係る届出書."""

from __future__ import annotations

from django import forms

from applications.kinds.base import REQUIRED, KindForm
from applications.kinds.registry import BUILD, register


@register("midterm_choice", "中間前金払と部分払の選択に係る届出書", BUILD)
class MidtermChoiceForm(KindForm):
    choice = forms.ChoiceField(
        label="選択する支払方法",
        choices=[("midterm", "中間前金払"), ("partial", "部分払")],
        widget=forms.RadioSelect,
        error_messages={
            **REQUIRED,
            "invalid_choice": "中間前金払か部分払のどちらか一方を選んでください。",
        },
        help_text="中間前金払と部分払は併用できません。選ばなかった方法は請求しません。",
    )
    pledge = forms.BooleanField(
        label="選択しなかった支払方法は請求しないことを届け出ます",
    )
