"""Read-only records: 締結済み文書 (the archive), the sync state, webhook receipts."""

from __future__ import annotations

from django.contrib import admin, messages

from accounts.admin import DepartmentScopedAdmin
from contracts import services
from contracts.admin.inlines import signature_checks_html
from contracts.admin.permissions import SEND_PERM
from contracts.models import (
    SignedDocument,
    SignedDocumentVersion,
    SyncState,
    WebhookReceipt,
)
from contracts.services import archive
from core.admin import PermissionRequiredAdminMixin, ReadOnlyAdminMixin


class VersionInline(admin.TabularInline):
    """Every stored version of the document (never changed or deleted)."""

    model = SignedDocumentVersion
    fields = ("number", "source", "sha256", "size", "signature_status", "long_term", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SignedDocument)
class SignedDocumentAdmin(ReadOnlyAdminMixin, DepartmentScopedAdmin):
    department_path = "signing_request__contract__case__department"
    list_display = (
        "stored_file",
        "kind",
        "signature_status",
        "long_term",
        "renew_due_at",
        "sha256",
        "created_at",
    )
    list_filter = (
        "kind",
        "signature_status",
        "long_term",
        ("refetch_gave_up_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("=sha256", "=signing_request__document_id", "signing_request__contract__title")
    list_select_related = ("stored_file",)
    exclude = ("signature_checks",)
    readonly_fields = [
        f.name if f.name != "signature_checks" else "checks_display"
        for f in SignedDocument._meta.fields
    ]
    inlines = [VersionInline]
    actions = ["refetch_now", "renew_now"]

    @admin.display(description="署名ごとの検証内容")
    def checks_display(self, obj: SignedDocument) -> str:
        return signature_checks_html(obj.signature_checks)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(SEND_PERM):
            actions.pop("refetch_now", None)
            actions.pop("renew_now", None)
        return actions

    @admin.action(description="再取得（長期署名の付いたファイルを取得し、新しい版として保存）")
    def refetch_now(self, request, queryset):
        from esign.errors import CloudSignError

        stored = 0
        for document in queryset.filter(kind="signed").exclude(remote_file_id=""):
            try:
                stored += archive.signed_document_refetch(document_id=document.pk) is not None
            except CloudSignError as exc:
                archive.signed_document_refetch_failed(document_id=document.pk, error=exc)
                self.message_user(request, f"{document}: {exc.message}", messages.ERROR)
        self.message_user(
            request, f"{stored}件を新しい版として保存しました（理由は監査ログ）。", messages.INFO
        )

    @admin.action(description="アーカイブタイムスタンプを今すぐ追加")
    def renew_now(self, request, queryset):
        renewed = 0
        for document in queryset:
            try:
                version = archive.signed_document_renew(
                    document_id=document.pk, force=True, user=request.user, request=request
                )
            except services.ContractError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return
            renewed += version is not None
        self.message_user(
            request,
            f"{renewed}件にアーカイブタイムスタンプを追加しました（追加しなかった理由は監査ログ）。",
            messages.INFO,
        )


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
