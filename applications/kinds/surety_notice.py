"""⑧ 電子保証に係る認証キーのお知らせ (read from the PDF, confirmed by the contractor)."""

from __future__ import annotations

from django import forms

from applications.constants import Purpose
from applications.fields import GuaranteeNumberField
from applications.kinds.base import REQUIRED, KindForm, char
from applications.kinds.registry import BOTH, register
from core.text import fold_dashes


@register(
    "surety_notice",
    "電子保証に係る認証キーのお知らせ",
    BOTH,
    required_purposes=(Purpose.SURETY_NOTICE,),
    allowed_purposes=(),
)
class SuretyNoticeForm(KindForm):
    """What was read from the notice PDF; the contractor confirms or corrects it.

    When the PDF cannot be read, the contractor may tick 「手入力」 and attach it again: the PDF is
    kept, and the 保証契約番号 and 認証キー are typed twice each, the key masked (type=password,
    never rendered back into the page). Staff see such a filing marked 「手入力」.
    """

    construction_name = char("工事名", max_length=300)
    contractor_name = char("受注者名（JVの場合は代表者）", max_length=300)
    product = forms.ChoiceField(
        label="商品（保証区分）",
        choices=[
            ("前払金保証", "前払金保証"),
            ("契約保証", "契約保証"),
            ("中間前払金保証", "中間前払金保証"),
        ],
        error_messages=REQUIRED,
    )
    guarantee_number = GuaranteeNumberField(label="保証契約番号")
    auth_key = char(
        "認証キー",
        max_length=64,
        help_text="大文字・小文字を区別します。お知らせのPDFの記載どおりか確認してください。",
    )
    manual_entry = forms.BooleanField(
        label="PDFを読み取れない場合は、保証契約番号と認証キーを手入力して提出する",
        required=False,
        help_text="チェックを入れてPDFを添付すると、読み取れなかったPDFも添付したまま手入力で提出できます。",
    )
    secret_fields = frozenset({"auth_key", "auth_key_confirm"})
    entry_only_fields = frozenset({"guarantee_number_confirm", "auth_key_confirm"})
    display_labels = {"manual_entry": "手入力による提出（PDFを読み取れなかったため）"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.data if self.is_bound else self.initial
        self.manual = str(source.get("manual_entry", "")).lower() in {"on", "true", "1", "yes"}
        if self.manual:
            self.fields["guarantee_number_confirm"] = char(
                "保証契約番号（確認のためもう一度）",
                max_length=40,
                help_text="「保証契約番号」と同じ番号を、お知らせのPDFを見ながらもう一度入力してください。",
            )
            self.fields["auth_key"].widget = forms.PasswordInput(
                render_value=False, attrs={"autocomplete": "off"}
            )
            self.fields["auth_key"].help_text = (
                "お知らせのPDFの記載どおりに入力してください（大文字・小文字を区別します）。"
                "安全のため、入力した認証キーは画面に表示しません。空欄のときはもう一度入力して"
                "ください。"
            )
            self.fields["auth_key_confirm"] = char(
                "認証キー（確認のためもう一度）",
                max_length=64,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
            )
            self.order_fields(
                [
                    "manual_entry",
                    "construction_name",
                    "contractor_name",
                    "product",
                    "guarantee_number",
                    "guarantee_number_confirm",
                    "auth_key",
                    "auth_key_confirm",
                ]
            )

    def clean_guarantee_number(self) -> str:
        # every dash look-alike (−, ‐, －, ー …) is 「-」: the no-mixing rule matches on the number
        return fold_dashes(self.cleaned_data["guarantee_number"]).upper()

    def clean_guarantee_number_confirm(self) -> str:
        return fold_dashes(self.cleaned_data["guarantee_number_confirm"]).upper()

    def clean_auth_key(self) -> str:
        key = self.cleaned_data["auth_key"].replace(" ", "")  # width-normalised; case kept
        if not key.isascii() or not key.isalnum():
            raise forms.ValidationError("認証キーは半角英数字で入力してください。")
        return key

    def clean_auth_key_confirm(self) -> str:
        return self.cleaned_data["auth_key_confirm"].replace(" ", "")

    def clean(self):
        cleaned = super().clean()
        if self.manual:
            number, again = (
                cleaned.get("guarantee_number"),
                cleaned.pop("guarantee_number_confirm", None),
            )
            if number and again is not None and number != again:
                self.add_error(
                    "guarantee_number_confirm", "保証契約番号が1回目の入力と一致しません。"
                )
            key, again = cleaned.get("auth_key"), cleaned.pop("auth_key_confirm", None)
            if key and again is not None and key != again:
                self.add_error("auth_key_confirm", "認証キーが1回目の入力と一致しません。")
        return cleaned
