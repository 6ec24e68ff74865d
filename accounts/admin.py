from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from import_export.forms import ConfirmImportForm

from accounts import services
from accounts.models import Company, Department, Invitation, User
from accounts.resources import CompanyResource
from accounts.selectors import scope_to_staff, sees_all_departments
from core.admin import (
    AuditedChangesMixin,
    LargeListMixin,
    ScopedRelatedChoicesMixin,
    StrictLookupsMixin,
)
from core.imports import JapaneseImportMixin


class DepartmentScopedAdmin(
    ScopedRelatedChoicesMixin, StrictLookupsMixin, LargeListMixin, admin.ModelAdmin
):
    """Staff without the all-departments permission see and change only their department's rows.

    These lists are large (ten years of a city's contracting): see core.admin.LargeListMixin."""

    department_path = "department"

    def get_queryset(self, request):
        return scope_to_staff(super().get_queryset(request), request.user, self.department_path)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        """A row outside the user's department is not 「削除された可能性があります」: it may exist.
        Whether it does is not said (a missing row reads the same)."""
        if sees_all_departments(request.user):
            return super()._get_obj_does_not_exist_redirect(request, opts, object_id)
        self.message_user(
            request,
            f"ID「{unquote(object_id)}」の{opts.verbose_name}は、存在しないか閲覧する権限が"
            "ないため、表示できません。",
            messages.WARNING,
        )
        return HttpResponseRedirect(reverse("admin:index", current_app=self.admin_site.name))


class PortalUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "company", "department", "is_staff")


class PortalUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        exclude = ("password",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The hash summary (algorithm, salt fragments) means nothing to a clerk; the page links
        # to the password form instead.
        self.fields.pop("password", None)


@admin.register(User)
class UserAdmin(StrictLookupsMixin, LargeListMixin, BaseUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    ordering = ("email",)
    list_display = ("email", "name", "company", "department", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "groups", "department")
    list_select_related = ("company", "department")
    search_fields = ("email", "name", "company__name")
    autocomplete_fields = ("company",)
    readonly_fields = ("password_display",)
    fieldsets = (
        (None, {"fields": ("email", "password_display")}),
        ("利用者情報", {"fields": ("name", "company", "department")}),
        (
            "権限",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("日時", {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description="パスワード")
    def password_display(self, obj: User) -> str:
        state = "設定済み" if obj.has_usable_password() else "未設定（ログインできません）"
        return format_html(
            '{}　<a href="{}">パスワードを変更する</a>',
            state,
            reverse("admin:auth_user_password_change", args=[obj.pk]),
        )

    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "name",
                    "company",
                    "department",
                    "is_staff",
                    "password1",
                    "password2",
                ),
            },
        ),
    )


class UserInline(admin.TabularInline):
    model = User
    fields = ("email", "name", "is_active", "last_login")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class CompanyConfirmImportForm(ConfirmImportForm):
    send_invitations = forms.BooleanField(
        label="新しく登録される事業者に招待メールを送る（連絡先メール宛て）",
        required=False,
    )


@admin.register(Company)
class CompanyAdmin(
    JapaneseImportMixin, AuditedChangesMixin, StrictLookupsMixin, LargeListMixin, admin.ModelAdmin
):
    resource_classes = [CompanyResource]
    confirm_form_class = CompanyConfirmImportForm

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        send = bool(
            isinstance(form, CompanyConfirmImportForm)
            and form.is_bound
            and form.is_valid()
            and form.cleaned_data.get("send_invitations")
        )
        return {"send_invitations": send, "request": request}

    list_display = ("vendor_number", "name", "corporate_number", "representative", "phone")
    search_fields = ("name", "vendor_number", "corporate_number")
    inlines = [UserInline]


@admin.register(Department)
class DepartmentAdmin(AuditedChangesMixin, StrictLookupsMixin, admin.ModelAdmin):
    list_display = ("name", "is_contract_section", "signer_name", "signer_email")
    search_fields = ("name", "code")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # 課コード is a technical key (imports, URLs): only system administrators see it.
        return fields if request.user.is_superuser else [f for f in fields if f != "code"]


@admin.register(Invitation)
class InvitationAdmin(StrictLookupsMixin, admin.ModelAdmin):
    """Staff invite a contractor user: the link is mailed on save, valid 7 days, single-use."""

    list_display = ("email", "company", "created_at", "expires_at", "accepted_at", "invited_by")
    list_filter = ("accepted_at",)
    list_select_related = ("company", "invited_by")
    search_fields = ("email", "company__name")
    autocomplete_fields = ("company",)
    fields = ("email", "name", "company")
    readonly_fields = ()

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("email", "name", "company", "expires_at", "accepted_at", "invited_by")
        return ()

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ("email", "name", "company", "expires_at", "accepted_at", "invited_by")
        return self.fields

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            services.invitation_issue(invitation=obj, invited_by=request.user, request=request)
            self.message_user(request, f"{obj.email} に招待メールを送信しました。")
