"""開札結果 (bidding results) → 案件: one row per case, idempotent on 案件番号."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import fields, resources

from accounts.models import Company, Department
from accounts.selectors import departments_for_staff
from cases.constants import Category, ProcurementMethod
from cases.models import Case
from core import audit
from core.imports import (
    ChoiceLabelWidget,
    CodeWidget,
    DateWidget,
    LookupWidget,
    TextWidget,
    YenWidget,
    YesNoWidget,
    check_headers,
    duplicate_error,
    parse_period,
)

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
    period = fields.Field(attribute=None, column_name="工期")
    advance_payment = fields.Field("advance_payment", "前払金", YesNoWidget())

    csv_headers = HEADERS

    class Meta:
        model = Case
        import_id_fields = ("number",)
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

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._seen: dict[str, int] = {}

    def before_import(self, dataset, **kwargs):
        self._seen = {}
        check_headers(dataset.headers, HEADERS)

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            instance.period_start, instance.period_end = parse_period(row.get("工期", ""))
        except ValueError as exc:
            errors.setdefault("period_end", []).append(ValidationError(str(exc)))
        user = kwargs.get("user")
        department = getattr(instance, "department", None) if instance.department_id else None
        if (
            user is not None
            and department is not None
            and not departments_for_staff(user).filter(pk=department.pk).exists()
        ):
            errors.setdefault("department", []).append(
                ValidationError(
                    f"担当課「{department.name}」の案件は登録できません（所属課の案件のみ）。"
                )
            )
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

    def dehydrate_period(self, case: Case) -> str:
        if not case.period_start or not case.period_end:
            return ""
        return f"{case.period_start:%Y/%m/%d}～{case.period_end:%Y/%m/%d}"

    def after_import(self, dataset, result, **kwargs):
        if kwargs.get("dry_run"):
            return
        audit.record(
            "case.imported",
            actor=kwargs.get("user"),
            payload={
                "file": kwargs.get("file_name") or "",
                "rows": result.total_rows,
                "created": result.totals.get("new", 0),
                "updated": result.totals.get("update", 0),
            },
        )
