"""Form fields for the city's forms: the ONE place where amounts and numbers are normalised.

Dates (和暦 or 西暦) are read by ``core.fields`` (so that apps below this one, ``cases``, can use
them too); ``DateField``, ``WarekiDateInput`` and ``DATE_EXAMPLE`` are re-exported here.

Every amount or number a contractor types goes through a field here: full-width digits, 「,」「，」
「円」 and spaces are accepted, the value is stored typed (an int for amounts, a plain string of
half-width characters for numbers), and a value that cannot be read is refused with a Japanese
message that says what to type.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from core.fields import DATE_EXAMPLE, DateField, WarekiDateInput, date_formfield_overrides
from core.text import fold_dashes, normalize_compact

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

# The largest amount any of the city's forms can hold (just under 1兆円); above it is a typo.
MAX_YEN = 999_999_999_999


def clean_number_text(value) -> str:
    """「８，０００，０００円」「8 000 000」 → 「8000000」 (strings only; anything else as is)."""
    text = normalize_compact(value)
    for mark in (",", "円", "¥", "\\"):
        text = text.replace(mark, "")
    return text


def to_yen(value) -> int | None:
    """A stored or typed amount as an int, or None when it is empty or cannot be read.

    Pages and PDFs use this on stored data, so that nothing a draft holds can break them."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = clean_number_text(value)
    return int(text) if text.isdigit() and len(text) <= 15 else None


class YenInput(forms.TextInput):
    """Shows a stored amount with separators (8,000,000) so that reopening reads naturally."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return super().format_value(value)


class YenField(forms.IntegerField):
    """An amount in yen: accepts 「1,000,000」「１，０００，０００円」 and stores an int.

    ``not_above_case``: the amount is part of the case's 請負金額 and cannot exceed it (the form
    checks it against its case, see ``KindForm.clean``)."""

    default_error_messages = {
        "invalid": "金額は数字で入力してください（例: 20,000,000）。",
        "required": "この項目は必須です。",
    }

    def __init__(self, *, not_above_case: bool = False, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_YEN)
        kwargs.setdefault("widget", YenInput())
        self.not_above_case = not_above_case
        super().__init__(**kwargs)
        # Our own bound checks below give the messages in yen; drop Django's generic ones.
        self.validators = [
            v
            for v in self.validators
            if type(v).__name__ not in ("MinValueValidator", "MaxValueValidator")
        ]

    def to_python(self, value):
        if isinstance(value, str):
            value = clean_number_text(value)
            if value and not value.isdigit():
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            if len(value) > 15:
                raise ValidationError(
                    f"金額が大きすぎます。{MAX_YEN:,}円以下で入力してください。", code="max_value"
                )
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(f"{self.min_value:,}円以上で入力してください。", code="min_value")
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(
                f"金額が大きすぎます。{self.max_value:,}円以下で入力してください。",
                code="max_value",
            )


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


def admin_formfield_overrides() -> dict:
    """For a ModelAdmin's ``formfield_overrides``: dates typed as people write them (和暦 or
    西暦, with the calendar beside) and amounts in yen with separators (PositiveBigIntegerField
    holds amounts in this project)."""
    from django.db import models

    return {
        **date_formfield_overrides(),
        models.PositiveBigIntegerField: {"form_class": YenField, "widget": YenInput},
    }
