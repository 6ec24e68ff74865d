"""開札結果 (bidding results) → 案件: one row per case, idempotent on 案件番号."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from import_export import fields, resources

from accounts.models import Company, Department
from accounts.selectors import departments_for_staff
from cases.constants import Category, ProcurementMethod
from cases.models import Case
from cases.signals import batched_case_changes, send_case_changes
from core import audit
from core.imports import (
    BatchInstanceLoader,
    ChoiceLabelWidget,
    CodeWidget,
    DateWidget,
    LookupWidget,
    TextWidget,
    YenWidget,
    YesNoWidget,
    duplicate_error,
    parse_period,
    prepare_headers,
)

# The background job writes its progress every this many rows.
PROGRESS_EVERY = 200

HEADERS = [
    "案件番号",
    "件名",
    "場所",
    "区分",
    "担当課",
    "契約方法",
    "開札日",
    "落札者の業者番号",
    "落札金額",
    "工期",
    "前払金",
]


class PeriodField(fields.Field):
    """工期: two model fields in one column, read by :func:`parse_period` in import_instance.
    Its value in the preview (and an export) is written back as 「2025/12/08～2026/03/13」."""

    def export(self, instance, **kwargs):
        if not instance.period_start or not instance.period_end:
            return ""
        return f"{instance.period_start:%Y/%m/%d}～{instance.period_end:%Y/%m/%d}"


class CaseResource(resources.ModelResource):
    number = fields.Field("number", "案件番号", CodeWidget())
    title = fields.Field("title", "件名", TextWidget())
    place = fields.Field("place", "場所", TextWidget())
    category = fields.Field("category", "区分", ChoiceLabelWidget(Category.choices, "区分"))
    department = fields.Field(
        "department",
        "担当課",
        LookupWidget(Department, "name", "担当課「{value}」が登録されていません。"),
    )
    procurement_method = fields.Field(
        "procurement_method",
        "契約方法",
        ChoiceLabelWidget(ProcurementMethod.choices, "契約方法"),
    )
    opened_on = fields.Field("opened_on", "開札日", DateWidget())
    awarded_company = fields.Field(
        "awarded_company",
        "落札者の業者番号",
        LookupWidget(
            Company,
            "vendor_number",
            "業者番号「{value}」の事業者が登録されていません（先に事業者を取り込んでください）。",
        ),
    )
    amount = fields.Field("amount", "落札金額", YenWidget())
    period = PeriodField(attribute=None, column_name="工期")
    advance_payment = fields.Field("advance_payment", "前払金", YesNoWidget())

    csv_headers = HEADERS

    class Meta:
        model = Case
        import_id_fields = ("number",)
        instance_loader_class = BatchInstanceLoader
        fields = (
            "number",
            "title",
            "place",
            "category",
            "department",
            "procurement_method",
            "opened_on",
            "awarded_company",
            "amount",
            "period",
            "advance_payment",
        )
        clean_model_instances = True
        skip_unchanged = False
        use_transactions = True

    @classmethod
    def get_display_name(cls):
        return "案件（開札結果）"

    def __init__(
        self,
        *,
        request=None,
        ip_address: str | None = None,
        on_progress: Callable[[int], None] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.request = request
        self.ip_address = ip_address
        self.on_progress = on_progress
        self._seen: dict[str, int] = {}
        self.ignored_columns: list[str] = []
        self.rows_done = 0
        self._allowed: set[int] | None = None

    def before_import(self, dataset, **kwargs):
        self._seen, self.rows_done, self._allowed = {}, 0, None
        for field in self.fields.values():
            if hasattr(field.widget, "forget"):
                field.widget.forget()
        self.ignored_columns = prepare_headers(dataset, HEADERS)

    def import_data_inner(
        self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
    ):
        # The cases' kept next actions are refreshed once for the whole file (in the import's
        # transaction), not once per saved row.
        with batched_case_changes() as changed:
            try:
                result = super().import_data_inner(
                    dataset,
                    dry_run,
                    raise_errors,
                    using_transactions,
                    collect_failed_rows,
                    **kwargs,
                )
            except Exception:
                if not using_transactions:  # the rows saved before the error stay
                    send_case_changes(changed)
                raise
            # A dry run, or errors inside the transaction, end in a rollback: nothing to refresh.
            if not dry_run and not (using_transactions and result.has_errors()):
                send_case_changes(changed)
        return result

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        self.rows_done += 1
        if self.on_progress is not None and self.rows_done % PROGRESS_EVERY == 0:
            self.on_progress(self.rows_done)
        return result

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        # The case as it is before this row: an update is allowed only within the importer's
        # scope (the department it belongs to now, not only the one the row names).
        existing_department = instance.department_id if instance.pk is not None else None
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            instance.period_start, instance.period_end = parse_period(row.get("工期", ""))
        except ValueError as exc:
            errors.setdefault("period_end", []).append(ValidationError(str(exc)))
        user = kwargs.get("user")
        if user is not None:
            refusal = self._scope_refusal(user, instance, existing_department)
            if refusal:
                errors = {refusal[0]: [ValidationError(refusal[1])]}
        line = kwargs.get("row_number")
        number = instance.number
        if number in self._seen:
            errors.setdefault("number", []).append(
                duplicate_error("案件番号", number, self._seen[number])
            )
        elif number:
            self._seen[number] = (line or 0) + 1  # the header is line 1
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Case.full_clean without its queries per row: the case was found by its 案件番号 (the
        unique key; duplicates within the file are caught above), 担当課 and 落札者 are rows the
        widgets found, and Case.clean checks the 工期 order that the constraint guards."""
        errors = dict(import_validation_errors or {})
        try:
            instance.clean_fields(exclude={*errors, "department", "awarded_company"})
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            instance.clean()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "department" not in errors and instance.department_id is None:
            errors["department"] = [ValidationError("担当課を入力してください。")]
        if errors:
            raise ValidationError(errors)

    def _scope_refusal(self, user, instance: Case, existing_department: int | None):
        """(field, Japanese message) when ``user`` may not write this row, else None."""
        if self._allowed is None:  # once per import
            self._allowed = set(departments_for_staff(user).values_list("pk", flat=True))
        allowed = self._allowed
        if instance.pk is not None:
            if existing_department not in allowed:
                return (
                    "number",
                    f"案件番号「{instance.number}」は他の課の案件のため変更できません"
                    "（所属課の案件のみ）。",
                )
            if not user.has_perm("cases.change_case"):
                return (
                    "number",
                    f"案件番号「{instance.number}」は登録済みです。案件を変更する権限がないため"
                    "更新できません。",
                )
        elif not user.has_perm("cases.add_case"):
            return ("number", "案件を登録する権限がありません。")
        department = instance.department if instance.department_id else None
        if department is not None and department.pk not in allowed:
            return (
                "department",
                f"担当課「{department.name}」の案件は登録できません（所属課の案件のみ）。",
            )
        return None

    def after_import(self, dataset, result, **kwargs):
        result.ignored_columns = self.ignored_columns
        if self.on_progress is not None:
            self.on_progress(self.rows_done)
        if kwargs.get("dry_run"):
            return
        audit.record(
            "case.imported",
            actor=kwargs.get("user"),
            request=self.request,
            ip_address=self.ip_address,
            payload={
                "file": kwargs.get("file_name") or "",
                "rows": result.total_rows,
                "created": result.totals.get("new", 0),
                "updated": result.totals.get("update", 0),
            },
        )


class BackgroundCaseResource(CaseResource):
    """The same import for the background job: no preview, so no per-row diff."""

    class Meta(CaseResource.Meta):
        skip_diff = True
