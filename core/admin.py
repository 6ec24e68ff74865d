from django.apps import apps
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core import audit
from core.models import AuditEvent, StoredFile
from core.search import search_condition, search_terms


class LargeListMixin:
    """For lists that grow for years: the search is answered from indexes (each related table
    searched on its own, the list filtered by the keys found: ``company_id IN (…) OR case_id IN
    (…) OR number = …``, never ``icontains`` through JOINs; ``=field`` is an exact match; see
    core/search.py), the unfiltered total is not counted on every page, and each row's action
    checkbox is written directly (the same HTML as Django's widget, without a template render
    per row)."""

    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        fields = self.get_search_fields(request)
        if not fields or not search_term:
            return queryset, False
        for term in search_terms(search_term):
            queryset = queryset.filter(search_condition(self.model, fields, term))
        return queryset, False

    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), str(obj)),
        )


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


# What an action's prefix means (``contract.sent`` → 契約): a fixed list, so that the filter never
# reads the audit table (which grows forever) to find its choices.
AUDIT_ACTION_GROUPS = [
    ("application", "申請"),
    ("contract", "契約"),
    ("signing_request", "署名依頼"),
    ("surety", "保証"),
    ("applications", "申請の出力"),
    ("archive", "契約書の保管・出力"),
    ("file", "ファイルのダウンロード"),
    ("case", "案件"),
    ("company", "事業者"),
    ("department", "担当課"),
    ("invitation", "招待"),
    ("account", "アカウント・2段階認証"),
    ("integrity", "ファイルの整合性"),
]
AUDIT_TARGET_APPS = ("accounts", "cases", "applications", "surety", "contracts", "core")


class EstimatedCountPaginator(Paginator):
    """Counts exactly, except the whole of a very large table on PostgreSQL: there the
    planner's estimate (pg_class.reltuples, kept by autovacuum) stands in for a COUNT(*) that
    would read every row on every page."""

    EXACT_UP_TO = 100_000

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if connection.vendor == "postgresql" and not qs.query.has_filters():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [qs.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > self.EXACT_UP_TO:
                return row[0]
        return super().count


class ActionGroupFilter(admin.SimpleListFilter):
    title = "種別"
    parameter_name = "action_group"

    def lookups(self, request, model_admin):
        return AUDIT_ACTION_GROUPS

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(action__startswith=f"{value}.") if value else queryset


class TargetTypeFilter(admin.SimpleListFilter):
    title = "対象の種類"
    parameter_name = "target_type"

    def lookups(self, request, model_admin):
        return [
            (m._meta.label_lower, m._meta.verbose_name)
            for name in AUDIT_TARGET_APPS
            for m in apps.get_app_config(name).get_models()
        ]

    def queryset(self, request, queryset):
        return queryset.filter(target_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(LargeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: audit events can be searched and read, never added, changed or deleted.

    The table grows forever, so nothing here reads all of it: fixed-choice filters (no DISTINCT),
    no date hierarchy, the unfiltered total estimated (PostgreSQL); the text search uses trigram
    indexes (PostgreSQL) and the ids exact matches."""

    list_display = ("created_at", "action", "actor_label", "target_repr", "ip_address")
    list_filter = (ActionGroupFilter, TargetTypeFilter)
    search_fields = ("=action", "actor_label", "target_repr", "=target_id")
    paginator = EstimatedCountPaginator
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(StoredFile)
class StoredFileAdmin(LargeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("original_name", "kind", "company", "size", "page_count", "created_at")
    list_filter = ("kind",)
    search_fields = ("original_name", "=sha256")
    list_select_related = ("company",)
    readonly_fields = [f.name for f in StoredFile._meta.fields]
