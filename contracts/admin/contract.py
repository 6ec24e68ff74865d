"""The 契約 admin: list and change form; its pages and actions come from mixins."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts.admin import DepartmentScopedAdmin
from applications.fields import admin_formfield_overrides
from contracts import selectors, services
from contracts.admin.contract_actions import ContractActionsMixin
from contracts.admin.contract_views import ContractViewsMixin
from contracts.admin.filters import ReadyFilter
from contracts.admin.inlines import (
    ContractCorrectionInline,
    ContractFileInline,
    SigningRequestInline,
)
from contracts.admin.permissions import SEND_PERM
from contracts.constants import SENDABLE, ContractStatus, RequestStatus
from contracts.models import (
    Contract,
    ContractCorrection,
    ContractFile,
    SigningRequest,
)
from contracts.stamp_duty import contract_stamp_duty, stamp_basis
from core.wareki import format_wareki_datetime


@admin.register(Contract)
class ContractAdmin(ContractViewsMixin, ContractActionsMixin, DepartmentScopedAdmin):
    department_path = "case__department"
    formfield_overrides = admin_formfield_overrides()
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
    readonly_fields = (
        "status",
        "original",
        "gate_display",
        "rejection_display",
        "stamp_display",
        "created_at",
    )
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
                    "stamp_display",
                )
            },
        ),
        ("送信前の確認", {"fields": ("gate_display",)}),
    )
    rejected_fieldset = ("却下", {"fields": ("rejection_display",)})
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
                    "stamp_nature",  # fixed while signing (the 印紙税 follows the sent PDF)
                ]
        return fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            "can_send_contract": request.user.has_perm(SEND_PERM),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

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
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj.status == ContractStatus.REJECTED:
            fieldsets.insert(1, self.rejected_fieldset)
        return fieldsets

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
        send_url = reverse("admin:contracts_contract_send", args=[obj.pk])
        if not problems:
            return format_html(
                '<strong style="color:#197a4b">{}</strong> <a class="button" id="to-send"'
                ' href="{}">{}</a>',
                "送信できます。",
                send_url,
                "送信前の確認へ進む",
            )
        return format_html(
            '<p>送信するには次の点を解決してください。</p><ul id="gate-problems">{}</ul>'
            '<p><a href="{}">送信前の確認（署名者・照合結果）を見る</a></p>',
            format_html_join("", "<li>{}</li>", ((p,) for p in problems)),
            send_url,
        )

    @admin.display(description="却下の内容")
    def rejection_display(self, obj: Contract) -> str:
        rejected = selectors.latest_rejection(obj) if obj and obj.pk else None
        if rejected is None:
            return "—"
        when = rejected.closed_at or rejected.last_synced_at
        signer = rejected.signers.filter(state="rejected").order_by("order").first()
        decided = obj.resend_as_is_at and obj.resend_as_is_at > rejected.created_at
        return format_html(
            '<div id="rejection"><p><strong>{}</strong>（{}）</p>'
            "<p>却下の理由: {}</p><p>{}</p></div>",
            f"{signer.name}（{signer.get_role_display()}）が却下しました"
            if signer
            else "却下されました",
            format_wareki_datetime(when) if when else "日時不明",
            rejected.decline_comment or "（理由の記載なし）",
            (
                f"そのまま再送信する判断を記録済み（{format_wareki_datetime(obj.resend_as_is_at)}・"
                f"理由: {obj.resend_as_is_reason}）"
                if decided
                else "再送信するには、契約書のPDFを差し替える（下の「契約書ファイル」に追加）か、"
                "ページ下の「このまま再送信する」に理由を記録してください。"
            ),
        )

    @admin.display(description="印紙税相当額と根拠")
    def stamp_display(self, obj: Contract) -> str:
        """What a paper original would have cost, with its basis beside it (stamp_duty)."""
        if obj is None or obj.pk is None:
            return ""
        return f"{contract_stamp_duty(obj):,}円 — {stamp_basis(obj)}"

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
