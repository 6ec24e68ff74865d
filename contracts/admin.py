from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from accounts.admin import DepartmentScopedAdmin
from applications.fields import DateField, YenField
from contracts import pdf_check, selectors, services
from contracts.constants import RETRYABLE, SENDABLE, ContractKind, ContractStatus, RequestStatus
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
from core import uploads
from core.admin import PermissionRequiredAdminMixin, ReadOnlyAdminMixin, ReadOnlyInlineMixin
from core.text import normalize_compact
from core.uploads import validate_pdf_upload
from esign.errors import CloudSignError

# --- contracts ------------------------------------------------------------------------------

SEND_PERM = "contracts.send_contract"


class ReadyFilter(admin.SimpleListFilter):
    title = "送信の条件"
    parameter_name = "ready"

    def lookups(self, request, model_admin):
        return [("1", "送信できる")]

    def queryset(self, request, queryset):
        return selectors.ready_to_send(queryset) if self.value() == "1" else queryset


class ProblemFilter(admin.SimpleListFilter):
    title = "エラー"
    parameter_name = "problem"

    def lookups(self, request, model_admin):
        return [("1", "送信・同期エラーあり")]

    def queryset(self, request, queryset):
        if self.value() != "1":
            return queryset
        return selectors.with_problems(queryset)


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


def default_tax(amount: int | None) -> int | None:
    """取引に係る消費税額 in a 税込 amount at the standard 10 % (1円未満切捨て)."""
    return None if amount is None else amount * 10 // 110


class PrepareForm(forms.Form):
    """契約書の作成: the case's values prepared, the PDF in the same step."""

    title = forms.CharField(label="件名（契約書の工事名等）", max_length=200)
    amount = YenField(label="契約金額（税込）", min_value=1)
    tax_amount = YenField(
        label="うち取引に係る消費税額",
        required=False,
        help_text="税込金額から10％で計算した額を入れています。契約書の記載と同じにしてください。",
    )
    period_start = DateField(label="工期（始期）", required=False)
    period_end = DateField(label="工期（終期）", required=False)
    contract_date = DateField(
        label="契約日",
        required=False,
        help_text="空欄のままにすると、電子署名が完了した日（締結日）が契約日になります。",
    )
    upload = forms.FileField(
        label="契約書PDF",
        required=False,
        help_text="署名する契約書のPDF（20MBまで、パスワードなし）。",
        error_messages={"empty": "ファイルが空です（0バイト）。"},
    )
    pending = forms.CharField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="案件と異なる値にする理由",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="件名・金額・工期を案件と違う値にするときだけ入力します（記録されます）。",
    )

    def __init__(self, *args, case, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.case, self.request = case, request
        self.pending_name = None

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            try:
                self.pdf = validate_pdf_upload(upload)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages[0]) from None
        return upload

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "工期の終期は始期以降の日付にしてください。")
        amount, tax = data.get("amount"), data.get("tax_amount")
        if amount is not None and tax is not None and tax > amount:
            self.add_error("tax_amount", "消費税額は契約金額以下にしてください。")
        if data.get("upload") and hasattr(self, "pdf"):
            # Keep the chosen PDF: a later error must not make the clerk choose it again.
            data["pending"] = uploads.stash_pdf(self.request, self.pdf)
        self.pending_name = uploads.stashed_name(self.request, data.get("pending"))
        if not data.get("upload") and "upload" not in self.errors and not self.pending_name:
            self.add_error("upload", "契約書のPDFを選んでください。")
        differing = [
            label
            for label, key, expected in (
                ("件名", "title", self.case.title),
                ("契約金額", "amount", self.case.amount),
                ("工期（始期）", "period_start", self.case.period_start),
                ("工期（終期）", "period_end", self.case.period_end),
            )
            if expected not in (None, "") and key in data and data[key] != expected
        ]
        if differing and not (data.get("reason") or "").strip():
            self.add_error(
                "reason",
                "案件と異なる値（" + "、".join(differing) + "）にする理由を入力してください。",
            )
        return data


class SendForm(forms.Form):
    check_reason = forms.CharField(
        label="照合で不一致のまま送信する理由",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="契約書PDFの記載が案件と一致しないときだけ必要です（記録されます）。",
    )


class CaseNumberForm(forms.Form):
    number = forms.CharField(label="案件番号", max_length=30)


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
    list_filter = ("status", ReadyFilter, "kind", "case__category", "case__department")
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

    # --- 契約書の作成 from the case ------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("prepare/", wrap(self.prepare_pick_view), name="contracts_contract_prepare_pick"),
            path(
                "prepare/<int:case_id>/",
                wrap(self.prepare_view),
                name="contracts_contract_prepare",
            ),
            path("<int:pk>/send/", wrap(self.send_view), name="contracts_contract_send"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """契約の追加 is 契約書の作成 from a case (its values prepared, the PDF in one step)."""
        case_id = request.GET.get("case")
        if case_id and case_id.isdigit():
            return HttpResponseRedirect(reverse("admin:contracts_contract_prepare", args=[case_id]))
        return HttpResponseRedirect(reverse("admin:contracts_contract_prepare_pick"))

    def _cases(self, request):
        from cases.selectors import cases_for_staff

        return cases_for_staff(request.user).select_related("department", "awarded_company")

    def prepare_pick_view(self, request: HttpRequest):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CaseNumberForm(request.GET or None)
        if form.is_valid():
            number = normalize_compact(form.cleaned_data["number"])
            case = self._cases(request).filter(number=number).first()
            if case is not None:
                return HttpResponseRedirect(
                    reverse("admin:contracts_contract_prepare", args=[case.pk])
                )
            form.add_error("number", f"案件番号「{number}」の案件が見つかりません。")
        return TemplateResponse(
            request,
            "admin/contracts/contract/prepare_pick.html",
            {
                **self.admin_site.each_context(request),
                "title": "契約書の作成（案件を選ぶ）",
                "form": form,
                "opts": self.model._meta,
            },
        )

    def prepare_view(self, request: HttpRequest, case_id: int):
        if not self.has_add_permission(request):
            raise PermissionDenied
        case = get_object_or_404(self._cases(request), pk=case_id)
        existing = case.contracts.filter(kind=ContractKind.INITIAL).exclude(
            status=ContractStatus.CANCELED
        )
        if request.method == "POST":
            form = PrepareForm(request.POST, request.FILES, case=case, request=request)
            if form.is_valid():
                data = form.cleaned_data
                upload = uploads.stashed_pdf(request, data["pending"])
                try:
                    with transaction.atomic():
                        contract = services.contract_create(
                            case=case,
                            user=request.user,
                            title=data["title"],
                            amount=data["amount"],
                            tax_amount=data["tax_amount"],
                            period_start=data["period_start"],
                            period_end=data["period_end"],
                            contract_date=data["contract_date"],
                            reason=data["reason"],
                            request=request,
                        )
                        services.contract_add_file(
                            contract=contract, user=request.user, upload=upload, request=request
                        )
                except services.ContractError as exc:
                    form.add_error(None, exc.message)
                else:
                    uploads.discard_stashed_pdf(request, data["pending"])
                    self.message_user(
                        request,
                        "契約を作成しました。契約書の照合結果と送信の条件を確認して送信してください。",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(self.after_prepare_url(contract))
            if form.cleaned_data.get("pending"):
                form.data = form.data.copy()
                form.data["pending"] = form.cleaned_data["pending"]
        else:
            form = PrepareForm(
                initial={
                    "title": case.title,
                    "amount": case.amount,
                    "tax_amount": default_tax(case.amount),
                    "period_start": case.period_start,
                    "period_end": case.period_end,
                },
                case=case,
                request=request,
            )
        return TemplateResponse(
            request,
            "admin/contracts/contract/prepare.html",
            {
                **self.admin_site.each_context(request),
                "title": f"契約書の作成: {case.number} {case.title}",
                "form": form,
                "case": case,
                "existing": existing,
                "opts": self.model._meta,
            },
        )

    def after_prepare_url(self, contract: Contract) -> str:
        return reverse("admin:contracts_contract_send", args=[contract.pk])

    # --- the send page ---------------------------------------------------------------------------

    def send_view(self, request: HttpRequest, pk: int):
        """Everything the send will do, checked, before 送信: signers in order with their source,
        共有先, files with page counts, the gate and the PDF check against the case."""
        contract = get_object_or_404(
            self.get_queryset(request).select_related(
                "case", "case__department", "case__awarded_company"
            ),
            pk=pk,
        )
        if not self.has_view_permission(request, contract):
            raise PermissionDenied
        can_send = request.user.has_perm(SEND_PERM)
        form = SendForm(request.POST if request.method == "POST" else None)
        errors: list[str] = []
        if request.method == "POST":
            if not can_send:
                raise PermissionDenied
            if form.is_valid():
                try:
                    services.contract_send_for_signature(
                        contract=contract,
                        user=request.user,
                        request=request,
                        check_reason=form.cleaned_data["check_reason"],
                    )
                except services.ContractError as exc:
                    errors = exc.problems
                else:
                    self.message_user(
                        request,
                        "契約を送信しました（クラウドサインへの登録は数秒〜数分で完了します）。",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:contracts_contract_change", args=[contract.pk])
                    )
        problems = selectors.gate_problems(contract) if contract.status in SENDABLE else []
        check = pdf_check.check_contract(contract)
        return TemplateResponse(
            request,
            "admin/contracts/contract/send.html",
            {
                **self.admin_site.each_context(request),
                "title": f"送信前の確認: {contract.case.number} {contract.title}",
                "contract": contract,
                "sendable": contract.status in SENDABLE,
                "plan": selectors.send_plan(contract),
                "files": contract.files.select_related("file"),
                "problems": problems,
                "check": check,
                "form": form,
                "errors": errors,
                "can_send": can_send,
                "opts": self.model._meta,
            },
        )

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

    @admin.action(description="電子署名に送信する（確認画面へ）")
    def send_selected(self, request, queryset):
        """Bulk send, after a page listing each contract with its gate and PDF check; a contract
        whose PDF does not agree with the case is sent only from its own send page (reason)."""
        contracts = list(
            queryset.select_related("case", "case__department", "case__awarded_company")
        )
        rows = []
        for contract in contracts:
            problems = selectors.gate_problems(contract)
            check = pdf_check.check_contract(contract) if not problems else None
            if check is not None and check.mismatches:
                problems = [f"契約書PDFの{i.name}が案件と一致しません。" for i in check.mismatches]
            rows.append((contract, problems, check))
        if "apply" in request.POST:
            self._each(
                request,
                [contract for contract, problems, _ in rows if not problems],
                lambda c: services.contract_send_for_signature(
                    contract=c, user=request.user, request=request
                ),
                "{n}件の契約を送信しました（クラウドサインへの登録は数秒〜数分で完了します）。",
            )
            for contract, problems, _ in rows:
                for problem in problems:
                    self.message_user(request, f"{contract}: {problem}", messages.ERROR)
            return None
        return TemplateResponse(
            request,
            "admin/contracts/contract/send_bulk.html",
            {
                **self.admin_site.each_context(request),
                "title": "電子署名への送信（確認）",
                "rows": rows,
                "ready": sum(1 for _, problems, _ in rows if not problems),
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
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
        "signature_detail",
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
        "store_failed_at",
    )
    list_filter = (
        "status",
        ("store_failed_at", admin.EmptyFieldListFilter),
        ProblemFilter,
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
class SyncStateAdmin(PermissionRequiredAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    required_permission = "accounts.view_all_departments"  # global state: 契約管財課 only
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
