from django.apps import apps
from django.contrib import admin
from django.contrib.admin import SimpleListFilter, helpers
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models.constants import LOOKUP_SEP
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from core import audit, labels
from core.models import AuditEvent, StoredFile
from core.search import search_condition, search_terms


class LargeListMixin:
    """For lists that grow for years: the search is answered from indexes (each related table
    searched on its own, the list filtered by the keys found: ``company_id IN (…) OR case_id IN
    (…) OR number = …``, never ``icontains`` through JOINs; ``=field`` is an exact match; what is
    typed and what is stored compared in their NFKC form; see core/search.py), the unfiltered
    total is not counted on every page, and each row's action checkbox is written directly (the
    same HTML as Django's widget, without a template render per row). 50 rows a page."""

    show_full_result_count = False
    # Measured on bench/scale.py's data (the applications list, CPU per page): 100 rows 71 ms,
    # 50 rows 34 ms. The rows, not the queries, are the cost of a list page.
    list_per_page = 50

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


# --- admin lookups ------------------------------------------------------------------------------

# Field names that hold credentials (the 認証キー, the 損保 閲覧用パスワード, password hashes,
# OTP keys, invitation tokens). No changelist may filter, search or sort on them — not on the
# model itself, not through a relation, not inside a JSON field (``data__auth_key``): every
# answer to such a query would be a yes/no oracle on the secret.
SECRET_FIELD_NAMES = frozenset(
    {
        "auth_key",
        "view_password",
        "password",
        "key",
        "bin_key",
        "token",
        "token_hash",
        "link_token",
        "secret",
        "client_secret",
    }
)

# What a declared filter may add after its field path: Django's own list filters and the date
# hierarchy only ever use these. ``regex``, ``startswith``, ``contains``… are never needed.
_FILTER_SUFFIXES = frozenset(
    {
        "",
        "exact",
        "iexact",
        "isnull",
        "isempty",
        "in",
        "gte",
        "gt",
        "lte",
        "lt",
        "year",
        "month",
        "day",
        "id",
        "id__exact",
        "id__in",
        "pk",
        "pk__exact",
    }
)


def is_secret_lookup(lookup: str) -> bool:
    """Whether any step of ``lookup`` (fields, relations, JSON keys, transforms) names a secret."""
    return any(part.lower() in SECRET_FIELD_NAMES for part in lookup.split(LOOKUP_SEP))


class SafeAutocompleteMixin:
    """The autocomplete widgets re-render a refused form with the posted ids; Django's widget
    looks them up as given and a non-integer id (``case=abc``) raised ``ValueError`` — a 500 —
    instead of the form's own 「正しく選択してください」. These widgets drop the ids their field
    cannot hold before the lookup."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _valid_ids(field, values) -> list:
    target = field.target_field
    valid = []
    for value in values:
        try:
            target.get_prep_value(target.to_python(value))
        except (ValidationError, ValueError, TypeError):
            continue
        valid.append(value)
    return valid


class SafeAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _valid_ids(self.field, value), attr)


class SafeAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _valid_ids(self.field, value), attr)


class StrictLookupsMixin(SafeAutocompleteMixin):
    """Changelist filters only on what the admin declares: ``list_filter``, ``date_hierarchy`` and
    ``strict_lookups_allowed``; never on a secret; search never on a secret field.

    Django's default accepts any lookup on a model's own fields from the URL, which turns every
    changelist into an oracle (``?auth_key__regex=^Q7``). A refused lookup answers 400
    (``DisallowedModelAdminLookup``) whatever the value, so it tells nothing.
    """

    strict_lookups_allowed: tuple[str, ...] = ()

    def declared_lookups(self, request=None) -> tuple[set[str], set[str]]:
        """(field paths a filter may extend with a plain suffix, exact parameter names)."""
        paths: set[str] = set(self.strict_lookups_allowed)
        exact: set[str] = set()
        if self.date_hierarchy:
            paths.add(self.date_hierarchy)
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter
        for item in list_filter:
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                exact.add(item.parameter_name)
            elif isinstance(item, (list, tuple)):
                paths.add(item[0])
            elif isinstance(item, str):
                paths.add(item)
        return paths, exact

    def lookup_allowed(self, lookup: str, value, request=None) -> bool:
        if is_secret_lookup(lookup):
            return False
        paths, exact = self.declared_lookups(request)
        if lookup in exact:
            return True
        for path in paths:
            if lookup == path:
                return True
            if lookup.startswith(path + LOOKUP_SEP):
                return lookup[len(path) + len(LOOKUP_SEP) :] in _FILTER_SUFFIXES
        return False

    def get_search_fields(self, request):
        return tuple(
            f for f in super().get_search_fields(request) if not is_secret_lookup(f.lstrip("^=@"))
        )

    def get_sortable_by(self, request):
        sortable = super().get_sortable_by(request)
        return tuple(f for f in sortable if not is_secret_lookup(f))


class ScopedRelatedChoicesMixin:
    """The choices of a foreign key (add and change forms, and the value the form accepts) are
    what the related model's own admin shows this user: a 担当課 user can pick — or post — only
    their department's cases and contracts. Applies where the related admin is department-scoped
    (has a ``department_path``)."""

    def _scoped_related(self, db_field, request):
        related = self.admin_site._registry.get(db_field.remote_field.model)
        if related is not None and getattr(related, "department_path", None) is not None:
            return related.get_queryset(request)
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            queryset = self._scoped_related(db_field, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            queryset = self._scoped_related(db_field, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PermissionRequiredAdminMixin:
    """Only users holding ``required_permission`` see this admin at all (e.g. records of every
    department, for 契約管財課)."""

    required_permission = ""

    def _allowed(self, request) -> bool:
        return not self.required_permission or request.user.has_perm(self.required_permission)

    def has_module_permission(self, request):
        return self._allowed(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) and super().has_view_permission(request, obj)


def strict_admin_class(admin_class: type) -> type:
    """``admin_class`` with ``StrictLookupsMixin`` in front (itself when it already has it)."""
    if issubclass(admin_class, StrictLookupsMixin):
        return admin_class
    return type(
        admin_class.__name__,
        (StrictLookupsMixin, admin_class),
        {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
    )


def enforce_strict_lookups(site: admin.AdminSite | None = None) -> list[str]:
    """Give every registered ModelAdmin — third-party ones too (axes, django-otp, auth) — the
    strict lookups; return the names of those that were re-registered."""
    site = site or admin.site
    changed = []
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, StrictLookupsMixin):
            continue
        site._registry[model] = strict_admin_class(type(model_admin))(model, site)
        changed.append(f"{model._meta.label}")
    return changed


@checks.register(checks.Tags.admin, checks.Tags.security)
def check_admin_lookups(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every registered ModelAdmin filters strictly and declares no secret filter or search."""
    errors = []
    for model, model_admin in admin.site._registry.items():
        label = f"{type(model_admin).__module__}.{type(model_admin).__qualname__}"
        if not isinstance(model_admin, StrictLookupsMixin):
            errors.append(
                checks.Error(
                    f"{label} ({model._meta.label}) accepts any lookup from the URL.",
                    hint="Give it core.admin.StrictLookupsMixin (or call enforce_strict_lookups).",
                    id="core.E001",
                )
            )
        declared = [
            *(
                f if isinstance(f, str) else f[0]
                for f in model_admin.list_filter
                if not isinstance(f, type)
            ),
            *model_admin.search_fields,
        ]
        if model_admin.date_hierarchy:
            declared.append(model_admin.date_hierarchy)
        for path in declared:
            if is_secret_lookup(str(path).lstrip("^=@")):
                errors.append(
                    checks.Error(
                        f"{label} filters or searches on the secret field {path!r}.",
                        id="core.E002",
                    )
                )
    return errors


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
        return list(labels.ACTION_GROUPS.items())  # registered by each app

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(action__startswith=f"{value}.") if value else queryset


class TargetTypeFilter(admin.SimpleListFilter):
    title = "対象の種類"
    parameter_name = "target_type"

    def lookups(self, request, model_admin):
        return [
            (m._meta.label_lower, m._meta.verbose_name)
            for name in labels.AUDIT_TARGET_APPS  # registered by each app
            for m in apps.get_app_config(name).get_models()
        ]

    def queryset(self, request, queryset):
        return queryset.filter(target_type=self.value()) if self.value() else queryset


def _model_name(label_lower: str) -> str:
    try:
        return str(apps.get_model(label_lower)._meta.verbose_name)
    except (LookupError, ValueError):
        return "—" if not label_lower else "その他"


@admin.register(AuditEvent)
class AuditEventAdmin(StrictLookupsMixin, LargeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: audit events can be searched and read, never added, changed or deleted.

    The table grows forever, so nothing here reads all of it: fixed-choice filters (no DISTINCT),
    no date hierarchy, the unfiltered total estimated (PostgreSQL); the text search uses trigram
    indexes (PostgreSQL) and the ids exact matches."""

    list_display = ("created_at", "action_display", "actor_display", "target_display", "ip_address")
    list_filter = (ActionGroupFilter, ActionFilter, TargetTypeFilter)
    search_fields = ("=action", "actor_label", "target_repr", "=target_id")
    paginator = EstimatedCountPaginator
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
class StoredFileAdmin(StrictLookupsMixin, LargeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Files are shown with a download link through the permission-checked view (they have no
    URL of their own: private storage)."""

    list_display = ("original_name", "kind_display", "company", "size", "page_count", "created_at")
    list_filter = (StoredFileKindFilter,)
    search_fields = ("original_name", "=sha256")
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
