"""Form fields every app may use: a date as people write it (和暦 or 西暦), an amount in yen as
people type it (「8,000,000」「８，０００，０００円」).

Lives in ``core`` so that every app, ``cases`` included, can take it; ``applications.fields``
re-exports it for the forms that already import it from there.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from core.text import normalize_compact
from core.wareki import MEIJI_START, era_change_note, format_date, looks_like_date, parse_wareki

DATE_EXAMPLE = "例: 令和7年9月4日、R7.9.4、2025/9/4"


class WarekiDateInput(forms.TextInput):
    """A text box where a date is typed as people write it (和暦 or 西暦), shown back in 和暦,
    with a separate optional calendar (``<input type=date>``, the phone's date picker) beside it.

    Works without JavaScript: the typed text wins; when it is empty the picker's value is used."""

    PICKER_SUFFIX = "__picker"

    def __init__(self, attrs=None):
        super().__init__(
            {
                "autocomplete": "off",
                "placeholder": "例: 令和7年9月4日",
                "class": "date-text",
                "size": "18",
                **(attrs or {}),
            }
        )

    def format_value(self, value):
        if isinstance(value, dt.date):
            return format_date(value)
        if isinstance(value, str) and value:
            try:
                return format_date(dt.date.fromisoformat(value))
            except ValueError:
                return value
        return super().format_value(value)

    def value_from_datadict(self, data, files, name):
        typed = data.get(name)
        if typed not in (None, "") and str(typed).strip():
            return typed
        picked = data.get(name + self.PICKER_SUFFIX)
        return picked if picked else typed

    def render(self, name, value, attrs=None, renderer=None):
        text = super().render(name, value, attrs, renderer)
        attrs = attrs or {}
        picker_id = f"{attrs.get('id') or 'id_' + name}{self.PICKER_SUFFIX}"
        # a box that belongs to a form elsewhere on the page (``form="…"``) takes its calendar
        owner = attrs.get("form") or self.attrs.get("form")
        return format_html(
            '<span class="date-entry">{}<label class="date-picker" for="{}">'
            '<small class="date-picker-label">または カレンダーから選ぶ（入力欄が空のとき）</small>'
            '<input type="date" id="{}" name="{}"{} min="1868-10-23" max="2999-12-31"'
            ' aria-label="カレンダーから選ぶ（入力欄が空のとき使われます）"'
            ' title="カレンダーから選ぶ">'
            "</label></span>",
            text,
            picker_id,
            picker_id,
            name + self.PICKER_SUFFIX,
            format_html(' form="{}"', owner) if owner else "",
        )


class DateField(forms.DateField):
    """A date as people type it: 和暦 「令和7年9月4日」「令和七年九月四日」「R7.9.4」「R7/9/4」 or
    西暦 「2025/9/4」「2025-09-04」 (also what the calendar beside the box sends). A date that
    never existed (「令和元年4月30日」) or one before 明治 is refused with an example."""

    widget = WarekiDateInput
    default_error_messages = {
        "invalid": f"日付として読めません。和暦か西暦で入力してください（{DATE_EXAMPLE}）。",
        "nonexistent": (
            "「{value}」という日付はありません（元号の始まる前・終わった後の日付や、暦にない日付"
            f"です。{DATE_EXAMPLE}）。"
        ),
        "before_meiji": (
            f"明治元年（1868年10月23日）より前の日付は入力できません（{DATE_EXAMPLE}）。"
        ),
    }

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            parsed = parse_wareki(value, whole=True)
            if parsed is None:
                try:
                    parsed = dt.date.fromisoformat(unicodedata.normalize("NFKC", value).strip())
                except ValueError:
                    if looks_like_date(value):
                        raise ValidationError(
                            self.error_messages["nonexistent"].format(value=value.strip()[:40]),
                            code="nonexistent",
                        ) from None
                    raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            else:
                note = era_change_note(value)  # 平成31年5月1日: read, and say how
                if note:
                    self.help_text = note
            value = parsed
        value = super().to_python(value)
        if value is not None and value < MEIJI_START:
            raise ValidationError(self.error_messages["before_meiji"], code="before_meiji")
        return value


def date_formfield_overrides() -> dict:
    """For a ModelAdmin's ``formfield_overrides``: every model DateField typed as people write it
    (和暦 or 西暦, with the calendar beside), shown back in 和暦."""
    from django.db import models

    return {models.DateField: {"form_class": DateField, "widget": WarekiDateInput}}


# The largest amount any of the city's forms can hold (just under 1兆円); above it is a typo.
MAX_YEN = 999_999_999_999


def clean_number_text(value) -> str:
    """「８，０００，０００円」「8 000 000」 → 「8000000」 (strings only; anything else as is)."""
    text = normalize_compact(value)
    for mark in (",", "円", "¥", "\\"):
        text = text.replace(mark, "")
    return text


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


def admin_formfield_overrides() -> dict:
    """For a ModelAdmin's ``formfield_overrides``: dates typed as people write them (和暦 or
    西暦, with the calendar beside) and amounts in yen with separators (PositiveBigIntegerField
    holds amounts in this project)."""
    from django.db import models

    return {
        **date_formfield_overrides(),
        models.PositiveBigIntegerField: {"form_class": YenField, "widget": YenInput},
    }
