from django.contrib import admin

from core.models import AuditEvent, StoredFile


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events can be searched and read, never added, changed or deleted."""

    list_display = ("created_at", "action", "actor_label", "target_repr", "ip_address")
    list_filter = ("action", "target_type")
    search_fields = ("action", "actor_label", "target_repr", "target_id")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    list_display = ("original_name", "kind", "company", "size", "page_count", "created_at")
    list_filter = ("kind",)
    search_fields = ("original_name", "sha256")
    list_select_related = ("company",)
    readonly_fields = [f.name for f in StoredFile._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
