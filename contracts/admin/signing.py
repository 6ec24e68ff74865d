"""The 署名依頼 admin (read-only: requests change through the contract's actions)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.admin import DepartmentScopedAdmin
from contracts import services
from contracts.admin.filters import ProblemFilter
from contracts.admin.inlines import ReporteeInline, SignedDocumentInline, SignerInline
from contracts.admin.permissions import SEND_PERM
from contracts.constants import RequestStatus
from contracts.models import (
    SigningRequest,
)
from contracts.services import archive
from core.admin import ReadOnlyAdminMixin
from esign.errors import CloudSignError


class UploadSignedForm(forms.Form):
    file = forms.FileField(label="締結済みのPDF（クラウドサインの画面から保存したもの）")


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
        "upload_link",
    )
    list_filter = (
        "status",
        ("store_failed_at", admin.EmptyFieldListFilter),
        ("stored_at", admin.EmptyFieldListFilter),
        ProblemFilter,
        ("sent_at", admin.DateFieldListFilter),
        ("concluded_at", admin.DateFieldListFilter),
        ("closed_at", admin.DateFieldListFilter),
        "contract__case__department",
    )
    search_fields = ("=document_id", "contract__title", "contract__case__number")
    list_select_related = ("contract", "contract__case")
    readonly_fields = [f.name for f in SigningRequest._meta.fields] + ["upload_link"]
    inlines = [SignerInline, ReporteeInline, SignedDocumentInline]

    def get_urls(self):
        return [
            path(
                "<int:pk>/upload-signed/",
                self.admin_site.admin_view(self.upload_signed_view),
                name="contracts_signingrequest_upload_signed",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="締結済みPDF")
    def upload_link(self, obj: SigningRequest) -> str:
        if obj.status != RequestStatus.CONCLUDED or obj.stored_at is not None:
            return "—"
        url = reverse("admin:contracts_signingrequest_upload_signed", args=[obj.pk])
        label = "取得不可: アップロード" if obj.store_failed_at else "取得待ち（アップロードも可）"
        return format_html('<a href="{}">{}</a>', url, label)

    def upload_signed_view(self, request: HttpRequest, pk: int):
        """LGWAN: store the signed PDF saved from CloudSign's web screen, verified first."""
        signing_request = get_object_or_404(
            self.get_queryset(request).select_related("contract", "contract__case"), pk=pk
        )
        if not request.user.has_perm(SEND_PERM):
            raise PermissionDenied
        form = UploadSignedForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if signing_request.status != RequestStatus.CONCLUDED:
                errors = ["締結済みの署名依頼ではありません。"]
            else:
                try:
                    document = archive.signed_document_upload(
                        signing_request=signing_request,
                        data=upload.read(),
                        name=upload.name,
                        user=request.user,
                        request=request,
                    )
                except ValidationError as exc:
                    errors = exc.messages
                else:
                    self.message_user(
                        request,
                        f"{document.stored_file.original_name} を保存しました"
                        f"（電子署名 {document.get_signature_status_display()}）。",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:contracts_signingrequest_change", args=[pk])
                    )
        return TemplateResponse(
            request,
            "admin/contracts/signingrequest/upload_signed.html",
            {
                **self.admin_site.each_context(request),
                "title": "締結済みPDFのアップロード",
                "signing_request": signing_request,
                "form": form,
                "errors": errors,
                "opts": self.model._meta,
            },
        )

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
