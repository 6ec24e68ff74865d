from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from accounts import services
from accounts.models import Company, Department, Invitation, User
from accounts.selectors import scope_to_staff
from core.admin import AuditedChangesMixin, LargeListMixin


class DepartmentScopedAdmin(LargeListMixin, admin.ModelAdmin):
    """Staff without the all-departments permission see and change only their department's rows.

    These lists are large (ten years of a city's contracting): see core.admin.LargeListMixin."""

    department_path = "department"

    def get_queryset(self, request):
        return scope_to_staff(super().get_queryset(request), request.user, self.department_path)


class PortalUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "company", "department", "is_staff")


class PortalUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(LargeListMixin, BaseUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    ordering = ("email",)
    list_display = ("email", "name", "company", "department", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "groups", "department")
    list_select_related = ("company", "department")
    search_fields = ("email", "name", "company__name")
    autocomplete_fields = ("company",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("利用者情報", {"fields": ("name", "company", "department")}),
        (
            "権限",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("日時", {"fields": ("last_login", "date_joined")}),
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


@admin.register(Company)
class CompanyAdmin(AuditedChangesMixin, LargeListMixin, admin.ModelAdmin):
    list_display = ("vendor_number", "name", "corporate_number", "representative", "phone")
    search_fields = ("name", "vendor_number", "corporate_number")
    inlines = [UserInline]


@admin.register(Department)
class DepartmentAdmin(AuditedChangesMixin, admin.ModelAdmin):
    list_display = ("code", "name", "is_contract_section", "signer_name", "signer_email")
    search_fields = ("name", "code")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
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
