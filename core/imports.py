"""Bulk import from CSV as city staff have it (django-import-export): UTF-8 or Shift_JIS
(CP932, as Excel saves 「CSV（コンマ区切り）」), Japanese headers, values as people write
them (「50,000,000円」, 「令和7年10月20日」, 「有」), a Japanese message for every refused row and
nothing imported while any row is refused.

The pieces here are generic; each app declares its resource (cases/resources.py,
accounts/resources.py) and adds :class:`JapaneseImportMixin` to its admin.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from import_export import widgets
from import_export.admin import ImportMixin
from import_export.formats import base_formats
from import_export.forms import ImportForm

from core.text import normalize, normalize_compact
from core.wareki import find_dates, parse_wareki

ENCODINGS = ("utf-8-sig", "cp932")


class HeaderError(ValueError):
    """The file's header row is not the one the import expects."""


class JapaneseCSV(base_formats.CSV):
    """CSV in UTF-8 (with or without BOM) or Shift_JIS/CP932, detected from the bytes."""

    def get_title(self):
        return "CSV（UTF-8 または Shift_JIS）"

    def is_binary(self):
        return True  # the bytes reach create_dataset undecoded: the encoding is detected there

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            for encoding in ENCODINGS:
                try:
                    in_stream = in_stream.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ValueError(
                    "ファイルの文字コードを読み取れません。"
                    "UTF-8 または Shift_JIS の CSV で保存してください。"
                )
        if not in_stream.strip():
            raise ValueError("ファイルが空です。")
        import tablib

        return tablib.import_set(in_stream, format="csv", **kwargs)


def check_headers(headers: list[str] | None, expected: list[str]) -> None:
    """Refuse a file whose header row lacks a column or has an unknown one (Japanese message)."""
    found = [normalize(h) for h in (headers or [])]
    missing = [h for h in expected if h not in found]
    unknown = [h for h in found if h and h not in expected]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("足りない列: " + "、".join(missing))
        if unknown:
            parts.append("知らない列: " + "、".join(unknown))
        raise HeaderError(
            "1行目の見出しが違います（" + "／".join(parts) + "）。"
            "見出しは「" + ",".join(expected) + "」にしてください。"
        )


# --- widgets: values as people write them -------------------------------------------------------


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return normalize(value)


class CodeWidget(widgets.CharWidget):
    """Numbers and codes: full-width to half-width, no spaces."""

    def clean(self, value, row=None, **kwargs):
        return normalize_compact(value)


class YenWidget(widgets.Widget):
    """「50,000,000」「５０，０００，０００円」「金50,000,000円」 → 50000000; empty → None."""

    def clean(self, value, row=None, **kwargs):
        text = normalize_compact(value).replace(",", "").replace("円", "").replace("金", "")
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(f"金額「{value}」を読み取れません（例: 50,000,000）。")
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:,}"


class DateWidget(widgets.Widget):
    """「2025/10/20」「2025-10-20」「令和7年10月20日」「R7.10.20」 → a date; empty → None."""

    def clean(self, value, row=None, **kwargs):
        text = normalize_compact(value)
        if not text:
            return None
        parsed = parse_wareki(text)
        if parsed is None:
            raise ValueError(
                f"日付「{value}」を読み取れません（例: 2025/10/20、令和7年10月20日）。"
            )
        return parsed

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


def parse_period(value: str) -> tuple[dt.date | None, dt.date | None]:
    """「2025/11/10～2026/3/19」「令和7年11月10日から令和8年3月19日まで」 → (start, end)."""
    text = normalize(value)
    if not text:
        return None, None
    dates = find_dates(text)
    if len(dates) != 2:
        raise ValueError(
            f"工期「{value}」を読み取れません（例: 2025/11/10～2026/3/19、"
            "令和7年11月10日から令和8年3月19日まで）。"
        )
    return dates[0], dates[1]


class ChoiceLabelWidget(widgets.Widget):
    """A choice written with its Japanese label (「建設工事」) or its code."""

    def __init__(self, choices, name: str, **kwargs):
        super().__init__(**kwargs)
        self.by_label = {normalize_compact(label): value for value, label in choices}
        self.values = {value for value, _ in choices}
        self.labels = [label for _, label in choices]
        self.name = name

    def clean(self, value, row=None, **kwargs):
        text = normalize_compact(value)
        if text in self.by_label:
            return self.by_label[text]
        if text in self.values:
            return text
        raise ValueError(
            f"{self.name}「{value}」は使えません（{'、'.join(self.labels)} のいずれか）。"
        )

    def render(self, value, obj=None, **kwargs):
        return dict((v, lab) for lab, v in self.by_label.items()).get(value, value)


class YesNoWidget(widgets.Widget):
    YES = {"有", "あり", "有り", "○", "〇", "はい", "1", "true", "yes", "y", "対象"}
    NO = {"無", "なし", "無し", "×", "いいえ", "0", "false", "no", "n", "", "-", "対象外"}

    def clean(self, value, row=None, **kwargs):
        text = normalize_compact(value).lower()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(f"「{value}」は「有」か「無」で入力してください。")

    def render(self, value, obj=None, **kwargs):
        return "有" if value else "無"


class LookupWidget(widgets.ForeignKeyWidget):
    """A related row by a natural key (業者番号, 課名); a Japanese message when there is none."""

    def __init__(self, model, field: str, message: str, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.message = message

    def clean(self, value, row=None, **kwargs):
        text = normalize_compact(value) if self.field != "name" else normalize(value)
        if not text:
            return None
        try:
            return self.get_queryset(value, row, **kwargs).get(**{self.field: text})
        except self.model.DoesNotExist:
            raise ValueError(self.message.format(value=text)) from None


def duplicate_error(column: str, value: str, line: int) -> ValidationError:
    return ValidationError(f"{column}「{value}」がファイルの{line}行目と重複しています。")


# --- the admin side ---------------------------------------------------------------------------


class JapaneseImportForm(ImportForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["import_file"].label = "取り込むファイル（CSV）"
        self.fields[
            "import_file"
        ].help_text = "UTF-8 でも Excel の「CSV（コンマ区切り）」（Shift_JIS）でも読み込めます。"
        if "format" in self.fields:
            self.fields["format"].label = "形式"


class JapaneseImportMixin(ImportMixin):
    """Import from the list page: upload → 確認（試し取込み: dry run, every row checked）→ 取込み.
    The confirm button appears only when no row is refused; the import runs in one transaction
    and rolls back on any error, so nothing is ever half-imported."""

    import_form_class = JapaneseImportForm
    import_error_display = ("message",)
    import_template_name = "admin/import_export/import_ja.html"

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        resource = self.get_import_resource_classes(None)[0]
        context["csv_headers"] = getattr(resource, "csv_headers", [])
        # Errors are keyed by model field: show the column (or the field's Japanese name).
        labels = {f.name: str(f.verbose_name) for f in self.model._meta.fields}
        labels.update(
            {f.attribute: f.column_name for f in resource().fields.values() if f.attribute}
        )
        labels["period_start"] = labels["period_end"] = "工期"
        context["column_labels"] = labels
        return context

    def get_import_formats(self):
        return [JapaneseCSV]

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ValueError) and not isinstance(e, UnicodeError):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file", "ファイルを読み取れませんでした。CSV 形式で保存してください。"
            )

    def has_import_permission(self, request):
        return self.has_add_permission(request)
