from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts.admin import DepartmentScopedAdmin
from contracts import selectors, services
from contracts.constants import RETRYABLE, SENDABLE, ContractStatus, RequestStatus
from contracts.models import (
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
from core.admin import ReadOnlyAdminMixin, ReadOnlyInlineMixin
from core.uploads import validate_pdf_upload
from esign.errors import CloudSignError

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
            {
                "fields": (
                    "amount",
                    "tax_amount",
                    "contract_date",
                    "period_start",
                    "period_end",
                    "stamp_nature",
                )
            },
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
        problems = selectors.gate_problems(obj)
        if not problems:
            return format_html('<strong style="color:#197a4b">{}</strong>', "送信できます。")
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in problems))
        )

    def save_model(self, request, obj, form, change):
        """Writes go through the contract services (validated, audited)."""
        if change:
            services.contract_update(
                contract=obj, fields=form.changed_data, user=request.user, request=request
            )
            return
        data = form.cleaned_data
        created = services.contract_create(
            case=data["case"],
            user=request.user,
            title=data.get("title", ""),
            amount=data.get("amount"),
            tax_amount=data.get("tax_amount"),
            period_start=data.get("period_start"),
            period_end=data.get("period_end"),
            request=request,
        )
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        if formset.model is ContractCorrection:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for inline_form in formset.forms:
                if not inline_form.has_changed() or inline_form.instance.pk is not None:
                    continue
                data = inline_form.cleaned_data
                formset.new_objects.append(
                    services.contract_record_correction(
                        contract=form.instance,
                        field=data["field"],
                        old_value=data.get("old_value", ""),
                        new_value=data["new_value"],
                        reason=data["reason"],
                        user=request.user,
                        request=request,
                    )
                )
            return None
        if formset.model is not ContractFile:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects = [], []
        formset.deleted_objects = []
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk:
                try:
                    services.contract_remove_file(
                        contract_file=inline_form.instance, user=request.user, request=request
                    )
                except services.ContractError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                    continue
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

    @admin.action(description="署名依頼を再試行する（送信待ち・送信中・送信失敗）")
    def retry_selected(self, request, queryset):
        def retry(contract):
            stuck = contract.signing_requests.filter(status__in=RETRYABLE).first()
            if stuck is None:
                raise services.ContractError(
                    "再試行できる署名依頼（送信待ち・送信中・送信失敗）がありません。"
                )
            services.signing_request_retry(
                signing_request=stuck, user=request.user, request=request
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
    search_fields = ("=document_id", "contract__title", "contract__case__number")
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

        pending = queryset.filter(status=RequestStatus.CONCLUDED, stored_at__isnull=True)
        count = 0
        for signing_request in pending:
            services.signing_request_refetch(
                signing_request=signing_request, user=request.user, request=request
            )
            count += 1
        self.message_user(
            request,
            f"{count}件の締結済み書類の取得を開始しました（保存済みのものは対象外）。",
            messages.SUCCESS,
        )


@admin.register(SignedDocument)
class SignedDocumentAdmin(ReadOnlyAdminMixin, DepartmentScopedAdmin):
    department_path = "signing_request__contract__case__department"
    list_display = ("stored_file", "kind", "signature_status", "sha256", "created_at")
    list_filter = ("kind", "signature_status")
    search_fields = ("=sha256", "=signing_request__document_id", "signing_request__contract__title")
    list_select_related = ("stored_file",)
    readonly_fields = [f.name for f in SignedDocument._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
class WebhookReceiptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("received_at", "document_id", "status", "remote_addr", "signing_request")
    search_fields = ("document_id",)
    readonly_fields = [f.name for f in WebhookReceipt._meta.fields]
