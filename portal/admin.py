"""The archive and the 年度 dashboard, added to the contract admin as its own pages."""

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from accounts.selectors import departments_for_staff
from applications.admin import ApplicationAdmin
from applications.constants import Status as ApplicationStatus
from applications.kinds import ECONTRACT
from applications.models import Application
from cases.admin import CaseAdmin
from cases.models import Case
from cases.selectors import cases_for_staff
from contracts.admin import ContractAdmin
from contracts.constants import ContractStatus
from contracts.models import Contract
from core import audit
from core.csv_export import csv_response
from core.params import int_param
from core.wareki import format_fiscal_year
from portal import adminsite, archive
from portal.dashboard_charts import dashboard_charts
from portal.queue import changelist_url


def dashboard_links(start, end, department) -> dict[str, str]:
    """The list behind each dashboard figure."""
    first, last = start.isoformat(), end.isoformat()  # aware: the admin filters on datetimes
    req = {"contract__case__department__id__exact": department.pk} if department else {}
    case = {"case__department__id__exact": department.pk} if department else {}

    def window(field: str) -> dict:
        return {f"{field}__gte": first, f"{field}__lt": last}

    requests_ = "contracts_signingrequest"
    return {
        "sent": changelist_url(requests_, {**window("sent_at"), **req}),
        "concluded": changelist_url(
            requests_, {"status__exact": "concluded", **window("concluded_at"), **req}
        ),
        "rejected": changelist_url(
            requests_, {"status__exact": "rejected", **window("closed_at"), **req}
        ),
        "canceled": changelist_url(
            requests_, {"status__exact": "canceled", **window("closed_at"), **req}
        ),
        "waiting": changelist_url(requests_, {"status__exact": "waiting", **req}),
        "applications": changelist_url(
            "applications_application", {"status__exact": "submitted", **case}
        ),
        "sureties": changelist_url(
            "surety_suretycertificate", {"status__exact": "received", **case}
        ),
        "archive": f"{reverse('admin:contracts_contract_archive')}?"
        + urlencode(
            {
                "status": "concluded",
                "date_from": start.date().isoformat(),
                "date_to": (end - dt.timedelta(days=1)).date().isoformat(),
                **({"department": department.pk} if department else {}),
            }
        ),
    }


class ContractArchiveAdmin(ContractAdmin):
    """The contract admin with the archive search, its CSV and the dashboard."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("archive/", wrap(self.archive_view), name="contracts_contract_archive"),
            path(
                "archive/export/",
                wrap(self.archive_export),
                name="contracts_contract_archive_export",
            ),
            path("dashboard/", wrap(self.dashboard_view), name="contracts_contract_dashboard"),
            *super().get_urls(),
        ]

    def _archive_form(self, request):
        departments = departments_for_staff(request.user)
        data = request.GET if request.GET else None
        return archive.ArchiveSearchForm(
            data, departments=departments, initial={"status": ContractStatus.CONCLUDED}
        )

    def _archive_search(self, request, form):
        base = self.get_queryset(request)
        if form.is_bound and not form.is_valid():
            # A condition that could not be read (a reversed range, an impossible date) lists
            # and exports nothing: ignoring it would show, or export, every contract.
            return base.none()
        data = form.cleaned_data if form.is_bound else {"status": ContractStatus.CONCLUDED}
        return archive.search(base, data)

    def _archive_results(self, request, form):
        return archive.with_documents(self._archive_search(request, form))

    def archive_view(self, request: HttpRequest):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = self._archive_form(request)
        results = self._archive_results(request, form)
        page = Paginator(results, 50).get_page(request.GET.get("page"))
        rows = [(c, archive.documents_of(c)) for c in page.object_list]
        query = request.GET.copy()
        query.pop("page", None)
        return TemplateResponse(
            request,
            "admin/portal/archive.html",
            {
                **self.admin_site.each_context(request),
                "title": "契約書の保管と検索",
                "form": form,
                "page": page,
                "rows": rows,
                "query": query.urlencode(),
                "opts": self.model._meta,
            },
        )

    def archive_export(self, request: HttpRequest):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = self._archive_form(request)
        if form.is_bound and not form.is_valid():
            messages.error(
                request,
                "検索条件に誤りがあるため、CSVを出力できませんでした。条件を修正してから、もう一度お試しください。",
            )
            url = reverse("admin:contracts_contract_archive")
            return redirect(f"{url}?{request.GET.urlencode()}")
        rows = archive.csv_rows(self._archive_search(request, form))
        audit.record(
            "archive.exported",
            actor=request.user,
            request=request,
            payload={"filters": request.GET.dict()},
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_response(archive.ARCHIVE_CSV_HEADERS, rows, filename=f"contracts-{stamp}.csv")

    def dashboard_view(self, request: HttpRequest):

        if not self.has_view_permission(request):
            raise PermissionDenied
        year = int_param(
            request,
            "year",
            label="年度",
            default=archive.current_fiscal_year(),
            minimum=1989,
            maximum=2200,
        )
        user = request.user
        departments = departments_for_staff(user)
        department = departments.filter(pk=int_param(request, "department", label="担当課")).first()
        cases = cases_for_staff(user)
        if department is not None:
            cases = cases.filter(department=department)
        figures = archive.dashboard(year=year, cases=cases)
        start, end = archive.fiscal_bounds(year)
        links = dashboard_links(start, end, department)
        return TemplateResponse(
            request,
            "admin/portal/dashboard.html",
            {
                **self.admin_site.each_context(request),
                "title": f"ダッシュボード（{format_fiscal_year(year)}）",
                "figures": figures,
                "year": year,
                "year_label": format_fiscal_year(year),
                "years": [
                    (y, format_fiscal_year(y))
                    for y in range(
                        archive.current_fiscal_year(), archive.current_fiscal_year() - 5, -1
                    )
                ],
                "departments": departments,
                "department": department,
                "links": links,
                "chart": mark_safe(archive.chart_svg(figures.monthly)),  # noqa: S308 - built from ints and escaped labels
                "charts": dashboard_charts(
                    year=year,
                    cases=cases,
                    year_label=format_fiscal_year(year),
                    last_label=format_fiscal_year(year - 1),
                ),
                "opts": self.model._meta,
            },
        )


def contract_links(request, case) -> list[dict]:
    """The case's contracts, or the button that prepares the first one."""
    from contracts.constants import ContractKind

    links = [
        {
            "key": f"contract-{c.pk}",
            "label": f"契約を開く（{c.get_kind_display()}・{c.get_status_display()}）",
            "url": reverse("admin:contracts_contract_change", args=[c.pk]),
            "primary": False,
        }
        for c in case.contracts.all().order_by("created_at")[:5]
    ]
    has_initial = any(
        c.kind == ContractKind.INITIAL and c.status != ContractStatus.CANCELED
        for c in case.contracts.all()
    )
    if request.user.has_perm("contracts.add_contract") and not has_initial:
        links.insert(
            0,
            {
                "key": "prepare",
                "label": "契約書を作成する",
                "url": reverse("admin:contracts_contract_prepare", args=[case.pk]),
                "primary": True,
            },
        )
    return links


class CaseDeskAdmin(CaseAdmin):
    """The case page with its way to the contract (cases cannot know contracts)."""

    change_form_template = "admin/cases/case/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        links = contract_links(request, case) if case is not None else []
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "desk_links": links}
        )


class ApplicationDeskAdmin(ApplicationAdmin):
    """An accepted 電子契約利用申出書 leads to the contract of its case."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        links = []
        if (
            application is not None
            and application.kind == ECONTRACT
            and application.status == ApplicationStatus.ACCEPTED
        ):
            links = contract_links(request, application.case)
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "desk_links": links}
        )


admin.site.unregister(Contract)
admin.site.register(Contract, ContractArchiveAdmin)
admin.site.unregister(Case)
admin.site.register(Case, CaseDeskAdmin)
admin.site.unregister(Application)
admin.site.register(Application, ApplicationDeskAdmin)

adminsite.install(admin.site)
