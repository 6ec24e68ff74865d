from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core import audit, labels
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


class ActionFilter(admin.SimpleListFilter):
    title = "種別"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return sorted(labels.ACTION_LABELS.items(), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class TargetTypeFilter(admin.SimpleListFilter):
    title = "対象の種類"
    parameter_name = "target_type"

    def lookups(self, request, model_admin):
        types = (
            AuditEvent.objects.exclude(target_type="")
            .order_by()
            .values_list("target_type", flat=True)
        )
        return sorted(((t, _model_name(t)) for t in types.distinct()), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(target_type=self.value()) if self.value() else queryset


def _model_name(label_lower: str) -> str:
    try:
        return str(apps.get_model(label_lower)._meta.verbose_name)
    except (LookupError, ValueError):
        return "—" if not label_lower else "その他"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: audit events can be searched and read, never added, changed or deleted."""

    list_display = ("created_at", "action_display", "actor_display", "target_display", "ip_address")
    list_filter = (ActionFilter, TargetTypeFilter)
    search_fields = ("action", "actor_label", "target_repr", "target_id")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "action_display",
        "actor_display",
        "target_type_display",
        "target_id",
        "target_repr",
        "ip_address",
        "payload_display",
    )
    readonly_fields = fields

    @admin.display(description="種別", ordering="action")
    def action_display(self, obj: AuditEvent) -> str:
        return labels.action_label(obj.action)

    @admin.display(description="実行者", ordering="actor_label")
    def actor_display(self, obj: AuditEvent) -> str:
        if obj.actor_label == audit.SYSTEM:
            return labels.SYSTEM_ACTOR
        return obj.actor_label

    @admin.display(description="対象")
    def target_display(self, obj: AuditEvent) -> str:
        if not obj.target_type:
            return "—"
        return f"{_model_name(obj.target_type)}: {obj.target_repr}"

    @admin.display(description="対象の種類")
    def target_type_display(self, obj: AuditEvent) -> str:
        return _model_name(obj.target_type)

    @admin.display(description="内容")
    def payload_display(self, obj: AuditEvent) -> str:
        rows = labels.payload_rows(obj.payload)
        if not rows:
            return "—"
        return format_html(
            "<table>{}</table>",
            format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", rows),
        )


class StoredFileKindFilter(admin.SimpleListFilter):
    title = "種類"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return list(labels.STORED_FILE_KINDS.items())

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Files are shown with a download link through the permission-checked view (they have no
    URL of their own: private storage)."""

    list_display = ("original_name", "kind_display", "company", "size", "page_count", "created_at")
    list_filter = (StoredFileKindFilter,)
    search_fields = ("original_name", "sha256")
    list_select_related = ("company",)
    fields = (
        "download",
        "kind_display",
        "size",
        "page_count",
        "sha256",
        "company",
        "uploaded_by",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description="種類", ordering="kind")
    def kind_display(self, obj: StoredFile) -> str:
        return labels.stored_file_kind_label(obj.kind)

    @admin.display(description="ファイル")
    def download(self, obj: StoredFile) -> str:
        return format_html(
            '<a href="{}">{}</a>（ダウンロード）',
            reverse("core:download", args=[obj.pk]),
            obj.original_name,
        )
