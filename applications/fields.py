"""Form fields for the city's forms: the ONE place where amounts and numbers are normalised.

Dates (和暦 or 西暦) and amounts in yen are read by ``core.fields`` (so that apps below this one,
``cases``, can use them too); ``DateField``, ``WarekiDateInput``, ``DATE_EXAMPLE``, ``YenField``,
``YenInput``, ``MAX_YEN``, ``clean_number_text`` and ``admin_formfield_overrides`` are re-exported
here.

Every amount or number a contractor types goes through a field here: full-width digits, 「,」「，」
「円」 and spaces are accepted, the value is stored typed (an int for amounts, a plain string of
half-width characters for numbers), and a value that cannot be read is refused with a Japanese
message that says what to type.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from core.fields import (
    DATE_EXAMPLE,
    MAX_YEN,
    DateField,
    WarekiDateInput,
    YenField,
    YenInput,
    admin_formfield_overrides,
    clean_number_text,
)
from core.text import fold_dashes

__all__ = [
    "DATE_EXAMPLE",
    "MAX_YEN",
    "DateField",
    "DigitsField",
    "EmailField",
    "GuaranteeNumberField",
    "WarekiDateInput",
    "YenField",
    "YenInput",
    "admin_formfield_overrides",
    "clean_number_text",
    "to_yen",
]


def to_yen(value) -> int | None:
    """A stored or typed amount as an int, or None when it is empty or cannot be read.

    Pages and PDFs use this on stored data, so that nothing a draft holds can break them."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = clean_number_text(value)
    return int(text) if text.isdigit() and len(text) <= 15 else None


class GuaranteeNumberField(forms.CharField):
    """保証契約番号 as printed on the certificate or the 認証キーのお知らせ (e.g. 31072-0001M).

    Normalised to half-width upper case with plain hyphens; refused unless it looks like one:
    it starts with digits and holds only digits, letters and hyphens."""

    PATTERN = re.compile(r"^\d{3,}(-?[0-9A-Z]+)*$")
    default_error_messages = {
        "required": "この項目は必須です。",
        "invalid": (
            "保証契約番号は保証証書・お知らせに記載の番号を半角の数字・英字とハイフンで"
            "入力してください（例: 31072-0001M）。"
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)
        self.error_messages["max_length"] = self.error_messages["invalid"]

    def to_python(self, value):
        value = super().to_python(value)
        return fold_dashes(value).upper() if value else value

    def validate(self, value):
        super().validate(value)
        if value and not self.PATTERN.match(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")


class DigitsField(forms.CharField):
    """A number made of digits only (口座番号): spaces and hyphens typed in it are dropped."""

    def __init__(self, *, length: int, message: str, **kwargs):
        self.length = length
        self.message = message
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return fold_dashes(value).replace("-", "") if value else value

    def validate(self, value):
        super().validate(value)
        if value and not (value.isdigit() and len(value) == self.length):
            raise ValidationError(self.message, code="invalid")


class EmailField(forms.EmailField):
    default_error_messages = {"invalid": "メールアドレスの形式が正しくありません。"}
