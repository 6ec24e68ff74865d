"""Form fields every app may use: a date as people write it (和暦 or 西暦).

Lives in ``core`` so that every app, ``cases`` included, can take it; ``applications.fields``
re-exports it for the forms that already import it from there.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

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
        return format_html(
            '<span class="date-entry">{}<label class="date-picker" for="{}">'
            '<small class="date-picker-label">または カレンダーから選ぶ（入力欄が空のとき）</small>'
            '<input type="date" id="{}" name="{}" min="1868-10-23" max="2999-12-31"'
            ' aria-label="カレンダーから選ぶ（入力欄が空のとき使われます）"'
            ' title="カレンダーから選ぶ">'
            "</label></span>",
            text,
            picker_id,
            picker_id,
            name + self.PICKER_SUFFIX,
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
