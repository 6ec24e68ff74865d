"""The base of every 様式's form, the field helpers, and the stored data as people see it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django import forms

from applications.fields import YenField, to_yen
from core.text import normalize
from core.wareki import format_date, format_wareki

if TYPE_CHECKING:
    from applications.kinds.registry import Kind


class KindForm(forms.Form):
    """Base of every kind's form: NFKC-normalised input, the case and company at hand."""

    # (heading, [field names]) in the order of the 様式; None = every field, one section.
    sections: list[tuple[str, list[str]]] | None = None
    # For the printable PDF: the 様式 number, the sentence under the title, the notes at the end.
    pdf_number = ""
    pdf_intro = ""
    pdf_notes: tuple[str, ...] = ()
    # The field holding the 申請日, if the 様式 has one (else the submission date is printed).
    date_field = ""
    # Credentials: masked wherever the filing is shown (pages, PDF, admin, mail).
    secret_fields: frozenset[str] = frozenset()
    # Aids to typing (an entry typed twice), never kept: not shown with the filing.
    entry_only_fields: frozenset[str] = frozenset()
    # What a field is called where the filing is shown, when its label is a question asked
    # while typing.
    display_labels: dict[str, str] = {}

    def __init__(self, *args, case, company, **kwargs):
        self.case = case
        self.company = company
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # A pledge or confirmation to tick: the error names it (「…確認が必要です」 did not
            # say which box, nor that it is a box).
            if isinstance(field, forms.BooleanField) and field.required:
                field.error_messages["required"] = f"「{field.label}」にチェックを入れてください。"
        if self.is_bound:
            data = self.data.copy()
            for key in list(data.keys()):
                values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
                normalised = [normalize(v) if isinstance(v, str) else v for v in values]
                if hasattr(data, "setlist"):
                    data.setlist(key, normalised)
                else:
                    data[key] = normalised[0]
            self.data = data

    @classmethod
    def initial_for(cls, case, company) -> dict:
        return {}

    def pdf_header(self) -> list[tuple[str, str]]:
        """Rows printed above the fields (e.g. the 工事 header); empty: the case line."""
        return []

    def grouped(self) -> list[tuple[str, list]]:
        """(heading, [bound fields]) in the order of the 様式, for the page."""
        sections = self.sections or [("", list(self.fields))]
        return [(heading, [self[name] for name in names]) for heading, names in sections]

    def serialized(self) -> dict:
        """cleaned_data as JSON: dates as ISO strings."""
        out = {}
        for name, value in self.cleaned_data.items():
            out[name] = value.isoformat() if isinstance(value, dt.date) else value
        return out

    def draft_data(self) -> dict:
        """What a 下書き keeps, valid or not: each field that cleaned as its typed value (int
        amounts, ISO dates), each field that did not as the text typed (normalised), so that
        nothing typed is lost and nothing stored can break a page."""
        self.is_valid()
        cleaned = self.serialized()
        out = {}
        for name in self.fields:
            if name in cleaned and name not in self.errors:
                out[name] = cleaned[name]
            elif name in self.data:
                value = self.data[name]
                out[name] = value if isinstance(value, str | int | bool) else str(value)
        return out

    def clean(self):
        cleaned = super().clean()
        amount = self.case.amount
        for name, f in self.fields.items():
            value = cleaned.get(name)
            if getattr(f, "not_above_case", False) and amount and value and value > amount:
                self.add_error(name, f"{f.label}は請負金額（{amount:,}円）以下で入力してください。")
        return cleaned

    def in_period(self, name: str, value: dt.date | None, *, label: str) -> None:
        case = self.case
        if (
            value
            and case.period_start
            and case.period_end
            and not case.period_start <= value <= case.period_end
        ):
            self.add_error(
                name,
                f"{label}は工期（{format_wareki(case.period_start)}〜"
                f"{format_wareki(case.period_end)}）の範囲内で入力してください。",
            )


REQUIRED = {"required": "この項目は必須です。"}


def char(label: str, *, required: bool = True, max_length: int = 100, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, error_messages=REQUIRED, **kwargs
    )


def text(label: str, *, required: bool = True, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=REQUIRED,
        **kwargs,
    )


def labelled_values(
    kind: Kind, data: dict, case, company
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The stored data as (section, [(label, display value)]) in the order of the 様式."""
    form = kind.form(initial=data, case=case, company=company)  # the variant the data is in
    sections = form.sections or [("", list(form.fields))]
    out = []
    for heading, names in sections:
        rows = []
        for name in names:
            if name in form.entry_only_fields:
                continue
            f = form.fields[name]
            value = data.get(name)
            shown = mask(value) if name in form.secret_fields else display(f, value)
            rows.append((form.display_labels.get(name, str(f.label)), shown))
        out.append((heading, rows))
    return out


def mask(value) -> str:
    """A credential as people see it: never a character of it."""
    return "●●●●●●●●●●●●（非表示）" if value else ""


def display(f: forms.Field, value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(f, forms.BooleanField):
        return "はい" if value else "いいえ"
    if isinstance(f, forms.ChoiceField):
        return dict(f.choices).get(value, str(value))
    if isinstance(f, YenField):
        amount = to_yen(value)
        return f"{amount:,}円" if amount is not None else f"{value}（金額として読めません）"
    if isinstance(f, forms.DateField):
        try:
            return format_date(dt.date.fromisoformat(str(value)))
        except ValueError:
            return f"{value}（日付として読めません）"
    return str(value)
