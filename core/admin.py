from django.contrib import admin

from core.models import AuditEvent, StoredFile


class ReadOnlyAdminMixin:
    """Records that are read in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInlineMixin:
    """An inline that shows rows and adds or deletes none."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: audit events can be searched and read, never added, changed or deleted."""

    list_display = ("created_at", "action", "actor_label", "target_repr", "ip_address")
    list_filter = ("action", "target_type")
    search_fields = ("action", "actor_label", "target_repr", "target_id")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("original_name", "kind", "company", "size", "page_count", "created_at")
    list_filter = ("kind",)
    search_fields = ("original_name", "sha256")
    list_select_related = ("company",)
    readonly_fields = [f.name for f in StoredFile._meta.fields]
