from django.contrib import admin

from core import audit
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


class AuditedChangesMixin:
    """Staff edits of a master record keep their before/after values in the audit log (the one
    append-only record of what changed, searched with everything else; see README)."""

    def save_model(self, request, obj, form, change):
        before = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        fields = [f for f in form.changed_data if f in {x.name for x in obj._meta.fields}]
        changes = audit.field_changes(before, obj, fields)
        if change and not changes:
            return
        label = obj._meta.model_name
        audit.record(
            f"{label}.changed" if change else f"{label}.created",
            actor=request.user,
            target=obj,
            request=request,
            payload={"changes": changes},
        )


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
