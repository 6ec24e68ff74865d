from django.contrib import admin

from contracts.models import Case


class DepartmentScopedAdmin(admin.ModelAdmin):
    """Staff without the all-departments permission see and change only their department's rows."""

    department_path = "department"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        user = request.user
        if user.is_superuser or user.has_perm("contracts.view_all_departments"):
            return qs
        if user.department_id is None:
            return qs.none()
        return qs.filter(**{f"{self.department_path}_id": user.department_id})


@admin.register(Case)
class CaseAdmin(DepartmentScopedAdmin):
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
            {"fields": ("amount", "period_start", "period_end", "advance_payment")},
        ),
    )

    @admin.display(description="請負金額", ordering="amount")
    def amount_display(self, obj: Case) -> str:
        return "—" if obj.amount is None else f"{obj.amount:,}円"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department" and not request.user.has_perm(
            "contracts.view_all_departments"
        ):
            from accounts.models import Department

            kwargs["queryset"] = Department.objects.filter(pk=request.user.department_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
