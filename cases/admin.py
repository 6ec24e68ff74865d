from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path

from accounts.admin import DepartmentScopedAdmin
from accounts.selectors import departments_for_staff
from cases import services
from cases.models import Case, CaseImport
from cases.resources import CaseResource
from core.admin import AuditedChangesMixin
from core.fields import admin_formfield_overrides
from core.imports import JapaneseImportMixin


@admin.register(Case)
class CaseAdmin(JapaneseImportMixin, AuditedChangesMixin, DepartmentScopedAdmin):
    resource_classes = [CaseResource]
    # 開札日 and 工期 typed as people write them (和暦 or 西暦), shown back in 和暦; 予定価格 and
    # 請負金額 typed with separators or full-width digits (「8,000,000」), shown back with commas.
    formfield_overrides = admin_formfield_overrides()

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

    # --- 案件の取込み: small files in the request (確認 → 取り込む), large ones in the background

    def import_max_rows(self) -> int:
        return settings.IMPORT_MAX_ROWS

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"request": request}

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid() and form.rows > settings.IMPORT_BACKGROUND_ROWS:
                job = services.case_import_submit(
                    user=request.user,
                    file_name=form.cleaned_data["import_file"].name,
                    text=form.text,
                    rows=form.rows,
                    request=request,
                )
                return redirect("admin:cases_case_import_job", job.pk)
        response = super().import_action(request, **kwargs)
        if getattr(response, "context_data", None) is not None:
            response.context_data["import_jobs"] = CaseImport.objects.filter(user=request.user)[:5]
        return response

    def get_urls(self):
        return [
            path(
                "import/jobs/<int:pk>/",
                self.admin_site.admin_view(self.import_job_view),
                name="cases_case_import_job",
            ),
            *super().get_urls(),
        ]

    def import_job_view(self, request, pk: int):
        """A background import: progress while it runs (the page reloads itself, no script
        needed), then the result; 取り込む once the check found no error."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        jobs = CaseImport.objects.filter(user=request.user)
        if request.method != "POST":
            # The page never shows the file, and reloads every 2 s while the job runs: without
            # this each reload read the whole CSV (~1 MB for 10,000 rows).
            jobs = jobs.defer("text")
        job = get_object_or_404(jobs, pk=pk)
        if request.method == "POST":
            if services.case_import_confirm(job=job, user=request.user):
                messages.info(request, "取込みを始めました。このページで進み具合を確認できます。")
            return redirect("admin:cases_case_import_job", job.pk)
        done = services.rows_done(job)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "案件の取込み",
            "job": job,
            "rows_done": done,
            "percent": int(done * 100 / job.total_rows) if job.total_rows else 0,
            "refresh_seconds": 2 if job.running else None,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/cases/case/import_job.html", context)

    @admin.display(description="請負金額", ordering="amount")
    def amount_display(self, obj: Case) -> str:
        return "—" if obj.amount is None else f"{obj.amount:,}円"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = departments_for_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
