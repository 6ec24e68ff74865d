from django.contrib import admin

from accounts.admin import DepartmentScopedAdmin
from accounts.selectors import departments_for_staff
from cases.models import Case
from cases.resources import CaseResource
from core.admin import AuditedChangesMixin
from core.imports import JapaneseImportMixin


@admin.register(Case)
class CaseAdmin(JapaneseImportMixin, AuditedChangesMixin, DepartmentScopedAdmin):
    resource_classes = [CaseResource]

    list_display = (
        "number",
        "title",
        "category",
        "department",
        "awarded_company",
        "amount_display",
        "opened_on",
    )
    list_filter = ("category", "department", "procurement_method", "advance_payment", "opened_on")
    search_fields = ("number", "title", "place", "awarded_company__name")
    list_select_related = ("department", "awarded_company")
    autocomplete_fields = ("awarded_company",)
    date_hierarchy = "opened_on"
    fieldsets = (
        (None, {"fields": ("number", "title", "place", "category", "department")}),
        ("入札・落札", {"fields": ("procurement_method", "opened_on", "awarded_company")}),
        (
            "契約内容",
            {
                "fields": (
                    "amount",
                    "planned_price",
                    "period_start",
                    "period_end",
                    "advance_payment",
                )
            },
        ),
        ("契約保証", {"fields": ("surety_exempt", "surety_exempt_reason")}),
    )

    @admin.display(description="請負金額", ordering="amount")
    def amount_display(self, obj: Case) -> str:
        return "—" if obj.amount is None else f"{obj.amount:,}円"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = departments_for_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
