"""Bulk import from CSV as city staff have it (django-import-export): UTF-8 or Shift_JIS
(CP932, as Excel saves 「CSV（コンマ区切り）」), Japanese headers, values as people write
them (「50,000,000円」, 「令和7年10月20日」, 「有」), a Japanese message for every refused row and
nothing imported while any row is refused.

The pieces here are generic; each app declares its resource (cases/resources.py,
accounts/resources.py) and adds :class:`JapaneseImportMixin` to its admin.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from import_export import widgets
from import_export.admin import ImportMixin
from import_export.formats import base_formats
from import_export.forms import ImportForm
from import_export.instance_loaders import BaseInstanceLoader

from core.text import normalize, normalize_compact, tidy
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


def check_headers(headers: list[str] | None, expected: list[str]) -> list[str]:
    """Refuse a file whose header row lacks a column or names one twice (Japanese message).

    Returns the other columns (e.g. 備考, as a bidding system exports it): they are not imported,
    and the preview names them."""
    found = [normalize(h) for h in (headers or [])]
    missing = [h for h in expected if h not in found]
    twice = sorted({h for h in found if h in expected and found.count(h) > 1})
    if missing or twice:
        parts = []
        if missing:
            parts.append("足りない列: " + "、".join(missing))
        if twice:
            parts.append("2回ある列: " + "、".join(twice))
        raise HeaderError(
            "1行目の見出しが違います（" + "／".join(parts) + "）。"
            "見出しは「" + ",".join(expected) + "」にしてください。"
        )
    return [h for h in found if h and h not in expected]


def prepare_headers(dataset, expected: list[str]) -> list[str]:
    """Check the header row, write it normalised (「案件番号 」 → 「案件番号」) so that every
    column is found, and return the columns that are ignored."""
    ignored = check_headers(dataset.headers, expected)
    dataset.headers = [normalize(h) for h in dataset.headers]
    return ignored


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}MB"
    return f"{max(n // 1024, 1)}KB"


def inspect_upload(upload, *, max_bytes: int, max_rows: int) -> tuple[str, int]:
    """The uploaded CSV decoded, and its number of data rows, or a ValidationError with a
    Japanese message. Sizes are checked on the raw bytes before any parsing: a file over the
    limits is refused in the time it takes to count its line breaks."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            f"ファイルが大きすぎます（{_size(size)}。上限は{_size(max_bytes)}）。"
            "ファイルを分けて取り込んでください。",
            code="too_large",
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            f"ファイルが大きすぎます（上限は{_size(max_bytes)}）。"
            "ファイルを分けて取り込んでください。",
            code="too_large",
        )
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    rows = max(lines - 1, 0)  # the header is the first line
    if rows > max_rows:
        raise ValidationError(
            f"行数が上限を超えています（{rows:,}行。一度に取り込めるのは{max_rows:,}行まで）。"
            "ファイルを分けて取り込んでください。",
            code="too_many_rows",
        )
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(
            "ファイルの文字コードを読み取れません。"
            "UTF-8 または Shift_JIS の CSV で保存してください。",
            code="encoding",
        )
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise ValidationError(
            f"{line}行目に NUL 文字（0x00）があります。CSV として保存し直してから"
            "取り込んでください。",
            code="nul",
        )
    if not text.strip():
        raise ValidationError("ファイルが空です。", code="empty")
    return text, rows


# --- widgets: values as people write them -------------------------------------------------------


class TextWidget(widgets.CharWidget):
    """Names and titles as written (core.text.tidy): 「㈱」「（その２）」 are kept."""

    def clean(self, value, row=None, **kwargs):
        return tidy(value)


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
    """A related row by a natural key (業者番号, 課名); a Japanese message when there is none.

    Keys are compared normalised (NFKC; codes without spaces). Rows found are remembered for the
    rest of the import (call :meth:`forget` before each import): a file of 10,000 rows names a
    handful of 担当課 and a few hundred companies."""

    def __init__(self, model, field: str, message: str, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.message = message
        self._found: dict[str, object] = {}

    def forget(self) -> None:
        self._found = {}

    def key(self, value) -> str:
        return normalize_compact(value) if self.field != "name" else normalize(value)

    def clean(self, value, row=None, **kwargs):
        text = self.key(value)
        if not text:
            return None
        if text not in self._found:
            if self.field == "name":
                # Stored names are kept as written: match them as normalised.
                matches = [
                    obj
                    for obj in self.get_queryset(value, row, **kwargs)
                    if normalize(getattr(obj, self.field)) == text
                ]
                found = matches[0] if len(matches) == 1 else None
            else:
                found = self.get_queryset(value, row, **kwargs).filter(**{self.field: text}).first()
            if found is None:
                raise ValueError(self.message.format(value=text))
            self._found[text] = found
        return self._found[text]


class BatchInstanceLoader(BaseInstanceLoader):
    """The rows a file updates, read up front by their import key in batches (one query per
    thousand rows instead of one per row; under SQLite's limit on query parameters)."""

    BATCH = 900

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        [key] = resource.get_import_id_fields()
        self.field = resource.fields[key]
        self.found: dict = {}
        if dataset is None or self.field.column_name not in (dataset.headers or []):
            return
        keys = sorted({self.field.clean(row) for row in dataset.dict} - {"", None})
        queryset = resource.get_queryset()
        for start in range(0, len(keys), self.BATCH):
            batch = keys[start : start + self.BATCH]
            for instance in queryset.filter(**{f"{self.field.attribute}__in": batch}):
                self.found[getattr(instance, self.field.attribute)] = instance

    def get_instance(self, row):
        return self.found.get(self.field.clean(row))


def duplicate_error(column: str, value: str, line: int) -> ValidationError:
    return ValidationError(f"{column}「{value}」がファイルの{line}行目と重複しています。")


def column_labels(model, resource_class) -> dict[str, str]:
    """Errors are keyed by model field: the column (or the field's Japanese name) to show."""
    labels = {f.name: str(f.verbose_name) for f in model._meta.fields}
    labels.update(
        {f.attribute: f.column_name for f in resource_class().fields.values() if f.attribute}
    )
    labels["period_start"] = labels["period_end"] = "工期"
    return labels


def result_messages(result, labels: dict[str, str], *, limit: int = 500) -> tuple[list[str], int]:
    """Every refusal in an import result as one Japanese line (「12行目: 担当課: …」), at most
    ``limit`` of them, and how many there are in all."""
    lines: list[str] = [str(error.error) for error in result.base_errors]
    for line, errors in result.row_errors():
        lines.extend(f"{line + 1}行目: {error.error}" for error in errors)
    for row in result.invalid_rows:
        head = f"{row.number + 1}行目: "
        for field, messages_ in row.field_specific_errors.items():
            label = labels.get(field, field)
            lines.extend(f"{head}{label}: {message}" for message in messages_)
        lines.extend(f"{head}{message}" for message in row.non_field_specific_errors)
    return lines[:limit], len(lines)


# --- the admin side ---------------------------------------------------------------------------


class JapaneseImportForm(ImportForm):
    """The upload, checked before parsing (:func:`inspect_upload`): size, rows, encoding, NUL.
    The decoded text and the row count are kept on the form for the admin."""

    def __init__(self, *args, max_rows: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_rows = settings.IMPORT_SYNC_MAX_ROWS if max_rows is None else max_rows
        self.text = ""
        self.rows = 0
        self.fields["import_file"].label = "取り込むファイル（CSV）"
        self.fields[
            "import_file"
        ].help_text = "UTF-8 でも Excel の「CSV（コンマ区切り）」（Shift_JIS）でも読み込めます。"
        if "format" in self.fields:
            self.fields["format"].label = "形式"

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        self.text, self.rows = inspect_upload(
            upload, max_bytes=settings.IMPORT_MAX_BYTES, max_rows=self.max_rows
        )
        upload.seek(0)
        return upload


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
        context["column_labels"] = column_labels(self.model, resource)
        return context

    def get_import_formats(self):
        return [JapaneseCSV]

    def import_max_rows(self) -> int:
        """The most rows one file may have (refused before parsing above it)."""
        return settings.IMPORT_SYNC_MAX_ROWS

    def get_import_form_kwargs(self, request):
        kwargs = super().get_import_form_kwargs(request)
        kwargs["max_rows"] = self.import_max_rows()
        return kwargs

    def write_to_tmp_storage(self, import_file, input_format):
        tmp_storage = self.get_tmp_storage_class()(
            encoding=None,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        tmp_storage.save(b"".join(import_file.chunks()))
        return tmp_storage

    def process_import(self, request, **kwargs):
        """取り込む: the file kept since 確認 is gone (already imported, cleaned up, or a forged
        name) — a Japanese message and back to the upload, never a 500."""
        try:
            return super().process_import(request, **kwargs)
        except (FileNotFoundError, IsADirectoryError, ValueError):
            opts = self.model._meta
            messages.error(
                request,
                "確認したファイルが見つかりません（取込み済みか、時間がたって消えました）。"
                "もう一度ファイルを選んで確認してください。何も登録していません。",
            )
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")

    def process_result(self, result, request):
        """After 取り込む: a refused row (the file changed meanwhile, rights withdrawn) rolled
        everything back; say so instead of a success."""
        if result.has_errors() or result.has_validation_errors():
            resource = self.get_import_resource_classes(request)[0]
            errors, count = result_messages(result, column_labels(self.model, resource))
            messages.error(
                request,
                f"取り込めませんでした（誤り {count:,}件。何も登録していません）: "
                + " ／ ".join(errors[:5]),
            )
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            f"{self.model._meta.verbose_name}を取り込みました（新規 {totals.get('new', 0):,}件、"
            f"更新 {totals.get('update', 0):,}件）。",
        )

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
