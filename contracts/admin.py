import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from contracts import archive, services
from contracts.constants import SENDABLE, ContractStatus, RequestStatus
from contracts.models import (
    Case,
    Contract,
    ContractCorrection,
    ContractFile,
    Reportee,
    SignedDocument,
    Signer,
    SigningRequest,
    SyncState,
    WebhookReceipt,
)
from contracts.selectors import cases_for_staff, departments_for_staff, scope_to_staff
from core import audit
from core.admin import (
    PermissionRequiredAdminMixin,
    ReadOnlyAdminMixin,
    ReadOnlyInlineMixin,
    ScopedRelatedChoicesMixin,
    StrictLookupsMixin,
)
from core.params import int_param
from core.uploads import validate_pdf_upload
from core.wareki import format_fiscal_year
from esign.errors import CloudSignError


class DepartmentScopedAdmin(ScopedRelatedChoicesMixin, StrictLookupsMixin, admin.ModelAdmin):
    """Staff without the all-departments permission see and change only their department's rows."""

    department_path = "department"

    def get_queryset(self, request):
        return scope_to_staff(super().get_queryset(request), request.user, self.department_path)


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
        ("契約保証", {"fields": ("surety_exempt", "surety_exempt_reason")}),
    )

    @admin.display(description="請負金額", ordering="amount")
    def amount_display(self, obj: Case) -> str:
        return "—" if obj.amount is None else f"{obj.amount:,}円"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = departments_for_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- contracts ------------------------------------------------------------------------------

SEND_PERM = "contracts.send_contract"


class ContractFileForm(forms.ModelForm):
    upload = forms.FileField(
        label="PDFファイル",
        required=False,
        help_text="署名するPDF（20MBまで、パスワードなし）。保存すると登録されます。",
        error_messages={"empty": "ファイルが空です（0バイト）。"},
    )

    class Meta:
        model = ContractFile
        fields = ()

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            try:
                validate_pdf_upload(upload)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages[0]) from None
        return upload


class ContractFileInline(admin.TabularInline):
    model = ContractFile
    form = ContractFileForm
    fields = ("order", "download", "pages", "upload")
    readonly_fields = ("order", "download", "pages")
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("file")

    @admin.display(description="ファイル")
    def download(self, obj: ContractFile) -> str:
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}">{}</a>',
            reverse("core:download", args=[obj.file_id]),
            obj.file.original_name,
        )

    @admin.display(description="ページ数")
    def pages(self, obj: ContractFile):
        return obj.file.page_count if obj.pk else ""

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status in SENDABLE

    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.status in SENDABLE) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is not None and obj.status in SENDABLE) and super().has_delete_permission(
            request, obj
        )


class SigningRequestInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = SigningRequest
    fields = (
        "status",
        "document_id",
        "sent_at",
        "concluded_at",
        "signer_summary",
        "last_synced_at",
        "attempts",
        "last_error_code",
        "last_error_message",
    )
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("signers")

    @admin.display(description="署名者")
    def signer_summary(self, obj: SigningRequest) -> str:
        return format_html_join(
            "",
            "<div>{}. {}（{}）: {}</div>",
            (
                (s.order, s.name, s.get_role_display(), s.get_state_display())
                for s in obj.signers.all()
            ),
        )


def _changelist(name: str, **params) -> str:
    return f"{reverse(f'admin:{name}_changelist')}?{urlencode(params)}"


def dashboard_links(start, end, department) -> dict[str, str]:
    """The list behind each dashboard figure."""
    first, last = start.isoformat(), end.isoformat()  # aware: the admin filters on datetimes
    req = {"contract__case__department__id__exact": department.pk} if department else {}
    case = {"case__department__id__exact": department.pk} if department else {}

    def window(field: str) -> dict:
        return {f"{field}__gte": first, f"{field}__lt": last}

    requests_ = "contracts_signingrequest"
    return {
        "sent": _changelist(requests_, **window("sent_at"), **req),
        "concluded": _changelist(
            requests_, status__exact="concluded", **window("concluded_at"), **req
        ),
        "rejected": _changelist(requests_, status__exact="rejected", **window("closed_at"), **req),
        "canceled": _changelist(requests_, status__exact="canceled", **window("closed_at"), **req),
        "waiting": _changelist(requests_, status__exact="waiting", **req),
        "applications": _changelist("applications_application", status__exact="submitted", **case),
        "sureties": _changelist("surety_suretycertificate", status__exact="received", **case),
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


class ContractCorrectionInline(admin.TabularInline):
    """Corrections of an archived contract: added beside it, never edited or deleted."""

    model = ContractCorrection
    fields = ("field", "old_value", "new_value", "reason", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return (
            obj is not None
            and obj.status == ContractStatus.CONCLUDED
            and super().has_add_permission(request, obj)
        )


class CancelForm(forms.Form):
    comment = forms.CharField(
        label="取消の理由（受信者に通知されます）",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "取消の理由を入力してください。"},
    )


@admin.register(Contract)
class ContractAdmin(DepartmentScopedAdmin):
    department_path = "case__department"
    list_display = (
        "case_number",
        "title",
        "kind",
        "amount_display",
        "status",
        "request_status",
        "created_at",
    )
    list_filter = ("status", "kind", "case__category", "case__department")
    search_fields = ("case__number", "title", "case__awarded_company__name")
    list_select_related = ("case",)
    autocomplete_fields = ("case",)
    readonly_fields = ("status", "original", "gate_display", "created_at")
    fieldsets = (
        (None, {"fields": ("case", "kind", "original", "title", "status")}),
        (
            "契約内容",
            {"fields": ("amount", "tax_amount", "contract_date", "period_start", "period_end")},
        ),
        ("送信前の確認", {"fields": ("gate_display",)}),
    )
    inlines = [ContractFileInline, SigningRequestInline, ContractCorrectionInline]
    actions = [
        "send_selected",
        "remind_selected",
        "cancel_selected",
        "retry_selected",
        "create_change_selected",
    ]

    def get_queryset(self, request):
        latest = SigningRequest.objects.filter(contract=OuterRef("pk")).order_by(
            "-created_at", "-id"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(latest_request_status=Subquery(latest.values("status")[:1]))
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["case", "kind"]
            if obj.status not in SENDABLE:
                fields += [
                    "title",
                    "amount",
                    "tax_amount",
                    "contract_date",
                    "period_start",
                    "period_end",
                ]
        return fields

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (
                    None,
                    {
                        "fields": (
                            "case",
                            "title",
                            "amount",
                            "tax_amount",
                            "period_start",
                            "period_end",
                        )
                    },
                ),
            )
        return super().get_fieldsets(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(SEND_PERM):
            for name in self.actions:
                actions.pop(name, None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (
            obj.status != ContractStatus.PREPARING or obj.signing_requests.exists()
        ):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="案件番号", ordering="case__number")
    def case_number(self, obj: Contract) -> str:
        return obj.case.number

    @admin.display(description="契約金額", ordering="amount")
    def amount_display(self, obj: Contract) -> str:
        return f"{obj.amount:,}円"

    @admin.display(description="署名依頼")
    def request_status(self, obj: Contract) -> str:
        status = getattr(obj, "latest_request_status", None)
        return RequestStatus(status).label if status else "—"

    @admin.display(description="送信の条件")
    def gate_display(self, obj: Contract) -> str:
        if obj is None or obj.pk is None:
            return ""
        if obj.status not in SENDABLE:
            return "—"
        problems = services.gate_problems(obj)
        if not problems:
            return format_html('<strong style="color:#197a4b">{}</strong>', "送信できます。")
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in problems))
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        audit.record(
            "contract.saved" if change else "contract.created",
            actor=request.user,
            target=obj,
            request=request,
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is ContractCorrection:
            for inline_form in formset.forms:
                if inline_form.has_changed() and inline_form.instance.pk is None:
                    inline_form.instance.created_by = request.user
            super().save_formset(request, form, formset, change)
            for correction in formset.new_objects:
                audit.record(
                    "contract.corrected",
                    actor=request.user,
                    target=form.instance,
                    request=request,
                    payload={"field": correction.field, "new": correction.new_value},
                )
            return None
        if formset.model is not ContractFile:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects = [], []
        formset.deleted_objects = []
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk:
                audit.record(
                    "contract.file_removed",
                    actor=request.user,
                    target=form.instance,
                    request=request,
                    payload={"name": inline_form.instance.file.original_name},
                )
                inline_form.instance.delete()
                formset.deleted_objects.append(inline_form.instance)
        for inline_form in formset.forms:
            upload = inline_form.cleaned_data.get("upload") if inline_form.cleaned_data else None
            if upload and inline_form not in formset.deleted_forms:
                try:
                    formset.new_objects.append(
                        services.contract_add_file(
                            contract=form.instance,
                            user=request.user,
                            upload=upload,
                            request=request,
                        )
                    )
                except services.ContractError as exc:
                    self.message_user(request, exc.message, messages.ERROR)

    # --- archive, CSV, dashboard ------------------------------------------------------------

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

    def _archive_results(self, request, form):
        base = self.get_queryset(request)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
        else:
            data = {"status": ContractStatus.CONCLUDED}
        return archive.with_documents(archive.search(base, data))

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
            "admin/contracts/contract/archive.html",
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
        data = archive.csv_response_bytes(self._archive_results(request, form))
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="contracts-{stamp}.csv"'
        return response

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
            "admin/contracts/contract/dashboard.html",
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
                "opts": self.model._meta,
            },
        )

    def _each(self, request, queryset, func, done_message):
        done = 0
        for contract in queryset:
            try:
                func(contract)
                done += 1
            except services.ContractError as exc:
                for problem in exc.problems:
                    self.message_user(request, f"{contract}: {problem}", messages.ERROR)
        if done:
            self.message_user(request, done_message.format(n=done), messages.SUCCESS)

    @admin.action(description="電子署名に送信する（再送を含む）")
    def send_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: services.contract_send_for_signature(
                contract=c, user=request.user, request=request
            ),
            "{n}件の契約を送信しました（クラウドサインへの登録は数秒〜数分で完了します）。",
        )

    @admin.action(description="署名待ちの相手にリマインドする")
    def remind_selected(self, request, queryset):
        def remind(contract):
            active = contract.signing_requests.filter(status=RequestStatus.WAITING).first()
            if active is None:
                raise services.ContractError("署名待ちの署名依頼がありません。")
            services.signing_request_remind(
                signing_request=active, user=request.user, request=request
            )

        self._each(request, queryset, remind, "{n}件の契約でリマインドしました。")

    @admin.action(description="送信に失敗した署名依頼を再試行する")
    def retry_selected(self, request, queryset):
        def retry(contract):
            failed = contract.signing_requests.filter(status=RequestStatus.FAILED).first()
            if failed is None:
                raise services.ContractError("送信に失敗した署名依頼がありません。")
            services.signing_request_retry(
                signing_request=failed, user=request.user, request=request
            )

        self._each(request, queryset, retry, "{n}件の署名依頼を再試行します。")

    @admin.action(description="変更契約を作成する")
    def create_change_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: services.contract_create_change(
                original=c, user=request.user, request=request
            ),
            "{n}件の変更契約を作成しました。金額・期間を修正し、PDFを登録して送信してください。",
        )

    @admin.action(description="署名依頼を取り消す（理由を入力）")
    def cancel_selected(self, request, queryset):
        if "apply" in request.POST:
            form = CancelForm(request.POST)
            if form.is_valid():
                self._each(
                    request,
                    queryset,
                    lambda c: services.contract_cancel(
                        contract=c,
                        user=request.user,
                        comment=form.cleaned_data["comment"],
                        request=request,
                    ),
                    "{n}件の署名依頼を取り消しました。",
                )
                return None
        else:
            form = CancelForm()
        return TemplateResponse(
            request,
            "admin/contracts/contract/cancel.html",
            {
                **self.admin_site.each_context(request),
                "title": "署名依頼の取消",
                "form": form,
                "contracts": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


class SignerInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Signer
    fields = (
        "order",
        "role",
        "name",
        "email",
        "organization",
        "state",
        "link_expires_at",
        "agreed_at",
        "rejected_at",
        "reminders_sent",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReporteeInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Reportee
    fields = ("name", "email", "organization", "remote_id")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class SignedDocumentInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = SignedDocument
    fields = (
        "kind",
        "download",
        "page_count",
        "sha256",
        "signature_status",
        "signer_subject",
        "timestamp_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stored_file", "signing_request")

    @admin.display(description="ファイル")
    def download(self, obj: SignedDocument) -> str:
        url = reverse("signed_document", args=[obj.signing_request.contract_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.stored_file.original_name)


@admin.register(SigningRequest)
class SigningRequestAdmin(ReadOnlyAdminMixin, DepartmentScopedAdmin):
    department_path = "contract__case__department"
    actions = ["sync_now", "refetch_documents"]
    list_display = (
        "contract",
        "status",
        "document_id",
        "sent_at",
        "last_synced_at",
        "attempts",
        "last_error_code",
    )
    list_filter = (
        "status",
        ("sent_at", admin.DateFieldListFilter),
        ("concluded_at", admin.DateFieldListFilter),
        ("closed_at", admin.DateFieldListFilter),
        "contract__case__department",
    )
    search_fields = ("document_id", "contract__title", "contract__case__number")
    list_select_related = ("contract", "contract__case")
    readonly_fields = [f.name for f in SigningRequest._meta.fields]
    inlines = [SignerInline, ReporteeInline, SignedDocumentInline]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(SEND_PERM):
            actions.pop("sync_now", None)
            actions.pop("refetch_documents", None)
        return actions

    @admin.action(description="今すぐ同期（サービスから状態を再取得）")
    def sync_now(self, request, queryset):
        from contracts import sync

        done = 0
        for signing_request in queryset.exclude(document_id=None):
            try:
                sync.refresh_signing_request(request_id=signing_request.pk)
                done += 1
            except CloudSignError as exc:
                self.message_user(request, f"{signing_request}: {exc.message}", messages.ERROR)
        self.message_user(request, f"{done}件を同期しました。", messages.SUCCESS)

    @admin.action(description="再取得（締結済み書類のダウンロード・保存）")
    def refetch_documents(self, request, queryset):
        from contracts.tasks import store_signed_documents

        pending = queryset.filter(status=RequestStatus.CONCLUDED, stored_at__isnull=True)
        for signing_request in pending:
            SigningRequest.objects.filter(pk=signing_request.pk).update(claimed_until=None)
            store_signed_documents.delay(signing_request.pk)
        self.message_user(
            request,
            f"{pending.count()}件の締結済み書類の取得を開始しました（保存済みのものは対象外）。",
            messages.SUCCESS,
        )


@admin.register(SignedDocument)
class SignedDocumentAdmin(ReadOnlyAdminMixin, DepartmentScopedAdmin):
    department_path = "signing_request__contract__case__department"
    list_display = ("stored_file", "kind", "signature_status", "sha256", "created_at")
    list_filter = ("kind", "signature_status")
    search_fields = ("sha256", "signing_request__document_id", "signing_request__contract__title")
    list_select_related = ("stored_file",)
    readonly_fields = [f.name for f in SignedDocument._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SyncState)
class SyncStateAdmin(PermissionRequiredAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    required_permission = "contracts.view_all_departments"  # global state: 契約管財課 only
    list_display = (
        "name",
        "watermark",
        "last_sweep_at",
        "last_sweep_calls",
        "last_sweep_documents",
        "last_error",
    )
    readonly_fields = [f.name for f in SyncState._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookReceipt)
class WebhookReceiptAdmin(ReadOnlyAdminMixin, DepartmentScopedAdmin):
    department_path = "signing_request__contract__case__department"
    list_display = ("received_at", "document_id", "status", "remote_addr", "signing_request")
    search_fields = ("document_id",)
    readonly_fields = [f.name for f in WebhookReceipt._meta.fields]
