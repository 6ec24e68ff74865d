"""The staff roles (Django groups) and the permissions each one holds.

The rules are by app and codename, so that the permissions of models added later join the right
roles: a data migration creates the groups, and every ``migrate`` re-applies the rules.
"""

from __future__ import annotations

from django.apps import apps as global_apps

CONTRACT_SECTION = "契約管財課"
DEPARTMENT = "担当課"
READ_ONLY = "閲覧"
ROLE_NAMES = (CONTRACT_SECTION, DEPARTMENT, READ_ONLY)

PORTAL_APPS = {"core", "accounts", "cases", "applications", "contracts", "surety"}
# Seeing every department's cases (not just one's own).
ALL_DEPARTMENTS_PERM = "view_all_departments"
# Beyond viewing, what 担当課 staff may do on their own department's cases.
DEPARTMENT_EXTRA = {
    ("applications", "review_application"),
    ("applications", "change_application"),
    ("applications", "add_message"),
    ("contracts", "add_contract"),
    ("contracts", "change_contract"),
    ("contracts", "send_contract"),
    ("contracts", "add_contractfile"),
    ("contracts", "change_contractfile"),
    ("contracts", "delete_contractfile"),
    ("surety", "change_suretycertificate"),
}
# Department staff reach files and history through their own cases, not these global lists.
DEPARTMENT_EXCLUDE = {
    ("core", "view_storedfile"),
    ("core", "view_auditevent"),
    ("accounts", "view_invitation"),
    ("accounts", "view_user"),
}
# Nobody edits these through a role: users and audit records are managed by administrators.
NEVER = {
    ("core", "add_auditevent"),
    ("core", "change_auditevent"),
    ("core", "delete_auditevent"),
    ("core", "add_storedfile"),
    ("core", "change_storedfile"),
    ("core", "delete_storedfile"),
}
# Only administrators (superusers) manage staff accounts and their groups.
ADMIN_ONLY = {
    ("surety", "reveal_credentials"),  # given to named verifiers only, one by one
    ("accounts", "add_user"),
    ("accounts", "change_user"),
    ("accounts", "delete_user"),
}


def role_wants(role: str, app_label: str, codename: str) -> bool:
    key = (app_label, codename)
    if app_label not in PORTAL_APPS or key in NEVER:
        return False
    if role == CONTRACT_SECTION:
        return key not in ADMIN_ONLY
    if role == READ_ONLY:
        return codename.startswith("view_")
    if role == DEPARTMENT:
        if key in DEPARTMENT_EXCLUDE:
            return False
        return (codename.startswith("view_") and codename != ALL_DEPARTMENTS_PERM) or (
            key in DEPARTMENT_EXTRA
        )
    return False


def sync_role_permissions(apps=global_apps) -> None:
    """Create the groups if needed and set each one's permissions by the rules above."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.filter(content_type__app_label__in=PORTAL_APPS).select_related(
            "content_type"
        )
    )
    for role in ROLE_NAMES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [p for p in perms if role_wants(role, p.content_type.app_label, p.codename)]
        group.permissions.set(wanted)


def _last_post_migrate_sender() -> str:
    """post_migrate is sent once per app with models, in INSTALLED_APPS order, each after that
    app's permissions were created: the roles are synced once, at the last one."""
    return [c for c in global_apps.get_app_configs() if c.models_module is not None][-1].label


def sync_on_post_migrate(sender, **kwargs) -> None:
    if sender.label != _last_post_migrate_sender():
        return  # once per migrate or flush, not once per app (a flush runs this after every test)
    apps = kwargs.get("apps") or global_apps
    try:
        apps.get_model("auth", "Group")
    except LookupError:
        return
    sync_role_permissions(apps)
