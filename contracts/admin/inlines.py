"""The inlines of the contract and signing-request admin pages."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from contracts.admin.forms import ContractFileForm
from contracts.constants import SENDABLE, ContractStatus
from contracts.models import (
    ContractCorrection,
    ContractFile,
    Reportee,
    SignedDocument,
    Signer,
    SigningRequest,
)
from core.admin import ReadOnlyInlineMixin


def _yes_no(value) -> str:
    return "—" if value is None else ("はい" if value else "いいえ")


def signature_checks_html(checks) -> str:
    """The per-signature checks (stored as JSON) as a Japanese list; never the raw JSON."""
    if not checks:
        return "—"
    rows = []
    for check in checks if isinstance(checks, list) else []:
        if not isinstance(check, dict):
            continue
        what = "文書タイムスタンプ" if "timestamp" in str(check.get("kind", "")) else "署名"
        rows.append(
            (
                f"{what}{check.get('index', '')}",
                check.get("signer") or "—",
                _yes_no(check.get("intact")),
                _yes_no(check.get("valid")),
                _yes_no(check.get("trusted")),
                "、".join(str(p) for p in check.get("problems") or []) or "なし",
            )
        )
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            "<li>{}（署名者: {}）改ざんなし: {}・署名が有効: {}・"
            "信頼できる証明書: {}・問題: {}</li>",
            rows,
        ),
    )


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

    def get_fields(self, request, obj=None):
        # No upload column once the files are fixed (it would show as 「UPLOAD」「None」).
        if obj is not None and obj.status not in SENDABLE:
            return ("order", "download", "pages")
        return self.fields

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
        "checks_display",
        "signer_subject",
        "timestamp_at",
    )
    readonly_fields = fields

    @admin.display(description="署名ごとの検証内容")
    def checks_display(self, obj: SignedDocument) -> str:
        return signature_checks_html(obj.signature_checks)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stored_file", "signing_request")

    @admin.display(description="ファイル")
    def download(self, obj: SignedDocument) -> str:
        url = reverse("signed_document", args=[obj.signing_request.contract_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.stored_file.original_name)
