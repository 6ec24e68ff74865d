"""Staff verify guarantees in the admin: D・Sure link, the number, the key (masked; revealed on
request with the dedicated permission, audited), the certificate's figures and the checks."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from accounts.admin import DepartmentScopedAdmin
from applications.fields import DateField, YenField, admin_formfield_overrides
from core.files import private_file_response
from core.text import normalize_compact
from surety import services
from surety.constants import Form, Status
from surety.models import SuretyCertificate
from surety.notice import mask_key

VERIFY_PERM = "surety.change_suretycertificate"


class OtherGuaranteeForm(forms.ModelForm):
    """Staff record a bank guarantee, a 損保 bond (URL + password) or cash/securities — or an
    electronic certificate by hand (保証契約番号 and 認証キー typed, the key twice and masked)."""

    view_password = forms.CharField(
        label="閲覧用パスワード",
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False),
    )
    typed_key = forms.CharField(
        label="認証キー（電子保証を手入力する場合）",
        required=False,
        max_length=64,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    typed_key_again = forms.CharField(
        label="認証キー（確認のためもう一度）",
        required=False,
        max_length=64,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    view_url = forms.URLField(
        label="閲覧用URL", required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = SuretyCertificate
        fields = (
            "case",
            "product",
            "form",
            "issuer_type",
            "issuer",
            "guarantee_number",
            "received_on",
            "view_url",
            "view_password",
            "amount",
            "expires_on",
        )
        field_classes = {
            "amount": YenField,
            "contract_amount": YenField,
            "expires_on": DateField,
            "received_on": DateField,
            "issued_on": DateField,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [
            (Form.PAPER, Form.PAPER.label),
            (Form.URL, Form.URL.label),
            (Form.ELECTRONIC, "電子（D・Sure）— 保証契約番号と認証キーを手入力"),
        ]

    def clean(self):
        cleaned = super().clean()
        electronic = cleaned.get("form") == Form.ELECTRONIC
        problems = services.mixing_problems(
            guarantee_number=cleaned.get("guarantee_number", ""), electronic=electronic
        )
        if problems:
            raise forms.ValidationError(problems[0])
        if electronic:
            key = normalize_compact(cleaned.get("typed_key"))
            if not key:
                self.add_error(
                    "typed_key", "電子保証を手入力する場合は認証キーを入力してください。"
                )
            elif key != normalize_compact(cleaned.get("typed_key_again")):
                self.add_error("typed_key_again", "認証キーが1回目の入力と一致しません。")
            cleaned["typed_key"] = key
        if cleaned.get("form") == Form.URL and not (
            cleaned.get("view_url") and cleaned.get("view_password")
        ):
            raise forms.ValidationError("閲覧用URLとパスワードを入力してください。")
        return cleaned


class VerifyForm(forms.ModelForm):
    class Meta:
        model = SuretyCertificate
        fields = (
            "holder",
            "beneficiary",
            "amount",
            "expires_on",
            "certificate_construction_name",
            "contract_amount",
            "received_on",
        )
        field_classes = {
            "amount": YenField,
            "contract_amount": YenField,
            "expires_on": DateField,
            "received_on": DateField,
            "issued_on": DateField,
        }


@admin.register(SuretyCertificate)
class SuretyCertificateAdmin(DepartmentScopedAdmin):
    formfield_overrides = admin_formfield_overrides()
    department_path = "case__department"
    change_form_template = "admin/surety/suretycertificate/change_form.html"
    list_display = (
        "case_number",
        "product",
        "form",
        "entry",
        "guarantee_number",
        "key_masked",
        "status",
        "warning_count",
        "created_at",
    )
    list_filter = ("status", "product", "form", "entry", "issuer_type")
    strict_lookups_allowed = ("case__department",)  # the dashboard's link
    search_fields = ("guarantee_number", "case__number", "case__title", "issuer")
    list_select_related = ("case",)
    autocomplete_fields = ("case",)
    readonly_fields = (
        "case",
        "application",
        "product",
        "form",
        "entry",
        "issuer_type",
        "issuer",
        "guarantee_number",
        "key_masked",
        "password_masked",
        "view_url",
        "d_sure",
        "status",
        "source_pdf",
        "notice_construction_name",
        "notice_contractor_name",
        "issued_on",
        "corrections",
        "warning_list",
        "check_table",
        "verified_by",
        "verified_at",
        "defect_reason",
    )
    fieldsets = (
        (
            "保証",
            {
                "fields": (
                    "case",
                    "application",
                    "product",
                    "form",
                    "entry",
                    "issuer_type",
                    "issuer",
                    "guarantee_number",
                    "key_masked",
                    "d_sure",
                    "view_url",
                    "password_masked",
                    "status",
                )
            },
        ),
        (
            "事業者の提出内容",
            {
                "fields": (
                    "source_pdf",
                    "notice_construction_name",
                    "notice_contractor_name",
                    "issued_on",
                    "corrections",
                    "warning_list",
                )
            },
        ),
        (
            "証書の内容（D・Sure または原本で確認して記録）",
            {
                "fields": (
                    "holder",
                    "beneficiary",
                    "amount",
                    "expires_on",
                    "certificate_construction_name",
                    "contract_amount",
                    "received_on",
                )
            },
        ),
        ("確認", {"fields": ("check_table", "verified_by", "verified_at", "defect_reason")}),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = OtherGuaranteeForm
            kwargs["fields"] = OtherGuaranteeForm.Meta.fields
            return super().get_form(request, obj, change, **kwargs)
        kwargs["form"] = VerifyForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (None, {"fields": OtherGuaranteeForm.Meta.fields}),
                ("電子保証を手入力する場合", {"fields": ("typed_key", "typed_key_again")}),
            )
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            services.surety_record_values(
                certificate=obj, fields=form.changed_data, user=request.user, request=request
            )
            return
        data = form.cleaned_data
        if data["form"] == Form.ELECTRONIC:
            created = services.surety_record_electronic(
                case=data["case"],
                user=request.user,
                product=data["product"],
                issuer=data["issuer"],
                guarantee_number=data["guarantee_number"],
                auth_key=data["typed_key"],
                request=request,
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        created = services.surety_record_other(
            case=data["case"],
            user=request.user,
            product=data["product"],
            form=data["form"],
            issuer_type=data["issuer_type"],
            issuer=data["issuer"],
            guarantee_number=data["guarantee_number"],
            received_on=data.get("received_on"),
            view_url=data.get("view_url", ""),
            view_password=data.get("view_password", ""),
            amount=data.get("amount"),
            expires_on=data.get("expires_on"),
            request=request,
        )
        obj.pk = created.pk
        obj._state.adding = False

    # --- display --------------------------------------------------------------------------

    @admin.display(description="案件番号", ordering="case__number")
    def case_number(self, obj):
        return obj.case.number

    @admin.display(description="認証キー")
    def key_masked(self, obj):
        return mask_key(obj.auth_key) or "—"

    @admin.display(description="閲覧用パスワード")
    def password_masked(self, obj):
        return mask_key(obj.view_password) or "—"

    @admin.display(description="注意")
    def warning_count(self, obj):
        return len(obj.warnings) or ""

    @admin.display(description="D・Sure")
    def d_sure(self, obj):
        if obj.form != Form.ELECTRONIC:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer">'
            "保証確認サービス（D・Sure）を開く</a>"
            "（保証契約番号と認証キーで電子証書を閲覧します）",
            settings.SURETY_DSURE_URL,
        )

    @admin.display(description="お知らせPDF")
    def source_pdf(self, obj):
        if not obj.source_file_id:
            return "—"
        url = reverse("admin:surety_suretycertificate_source", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.source_file.original_name)

    @admin.display(description="事業者が訂正した項目")
    def corrections(self, obj):
        if not obj.corrected_fields:
            return "なし（読み取った内容のまま）"
        labels = {
            "construction_name": "工事名",
            "contractor_name": "受注者名",
            "product": "商品",
            "guarantee_number": "保証契約番号",
            "auth_key": "認証キー",
        }
        return "、".join(labels.get(f, f) for f in obj.corrected_fields)

    @admin.display(description="注意事項")
    def warning_list(self, obj):
        if not obj.warnings:
            return "なし"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((w,) for w in obj.warnings))
        )

    @admin.display(description="確認項目")
    def check_table(self, obj):
        rows = services.checks(obj)
        return format_html(
            "<table>{}</table>",
            format_html_join(
                "",
                "<tr><th scope='row'>{}</th>"
                "<td><strong style='color:{}'>{}</strong></td><td>{}</td></tr>",
                (
                    (
                        c.name,
                        "#197a4b" if c.passed else "#ce0000",
                        "合格" if c.passed else "不合格",
                        c.detail,
                    )
                    for c in rows
                ),
            ),
        )

    # --- verify, mark defective, reveal ---------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/verify/", wrap(self.verify_view), name="surety_suretycertificate_verify"
            ),
            path(
                "<int:pk>/defective/",
                wrap(self.defective_view),
                name="surety_suretycertificate_defective",
            ),
            path(
                "<int:pk>/reveal/", wrap(self.reveal_view), name="surety_suretycertificate_reveal"
            ),
            path(
                "<int:pk>/source/", wrap(self.source_view), name="surety_suretycertificate_source"
            ),
            *super().get_urls(),
        ]

    def _get(self, request: HttpRequest, pk: int, perm: str | None = VERIFY_PERM):
        if request.method != "POST" or (perm and not request.user.has_perm(perm)):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _back(self, obj):
        return HttpResponseRedirect(reverse("admin:surety_suretycertificate_change", args=[obj.pk]))

    def verify_view(self, request, pk):
        certificate = self._get(request, pk)
        try:
            accept = bool(request.POST.get("accept_application")) and request.user.has_perm(
                "applications.review_application"
            )
            services.surety_verify(
                certificate=certificate,
                user=request.user,
                accept_application=accept,
                request=request,
            )
            self.message_user(
                request,
                "確認済にし、認証キーのお知らせの申請を受理しました。"
                if accept
                else "確認済にしました。",
                messages.SUCCESS,
            )
        except services.SuretyError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        return self._back(certificate)

    def defective_view(self, request, pk):
        certificate = self._get(request, pk)
        try:
            services.surety_mark_defective(
                certificate=certificate,
                user=request.user,
                reason=request.POST.get("reason", ""),
                request=request,
            )
            self.message_user(request, "不備として事業者に通知しました。", messages.SUCCESS)
        except services.SuretyError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        return self._back(certificate)

    def source_view(self, request, pk):
        """The notice PDF, for staff who may see this certificate (their department's)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        certificate = get_object_or_404(
            self.get_queryset(request), pk=pk, source_file__isnull=False
        )
        return private_file_response(certificate.source_file, request=request, target=certificate)

    def reveal_view(self, request, pk):
        certificate = self._get(request, pk, perm=None)
        secret = services.surety_reveal(certificate=certificate, user=request.user, request=request)
        response = TemplateResponse(
            request,
            "admin/surety/suretycertificate/reveal.html",
            {
                **self.admin_site.each_context(request),
                "title": "認証キーの表示",
                "certificate": certificate,
                "secret": secret,
                "d_sure": settings.SURETY_DSURE_URL,
                "opts": self.model._meta,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        certificate = self.get_object(request, object_id)
        pending = certificate is not None and certificate.status == Status.RECEIVED
        application = certificate.application if certificate is not None else None
        extra_context = {
            **(extra_context or {}),
            # Buttons only while they apply: after 確認済 or 不備 there is nothing to decide.
            "can_verify": request.user.has_perm(VERIFY_PERM) and pending,
            "can_accept_application": (
                pending
                and application is not None
                and application.status == "submitted"
                and request.user.has_perm("applications.review_application")
            ),
            "can_reveal": request.user.has_perm("surety.reveal_credentials"),
        }
        return super().change_view(request, object_id, form_url, extra_context)
