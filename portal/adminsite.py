"""The admin as the clerk's desk: 業務ホーム on the index, the technical models under one
「システム管理」 section that only system administrators (superusers) see.

Wired onto the default admin site from portal/admin.py (portal reads across every app, so the
composition lives here).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from portal.queue import work_queue

# (app_label, object_name) → the name a Japanese administrator reads.
SYSTEM_MODELS: dict[tuple[str, str], str] = {
    ("auth", "Group"): "権限グループ（役割）",
    ("axes", "AccessAttempt"): "ログイン試行（失敗の記録）",
    ("axes", "AccessFailureLog"): "ログイン失敗の履歴",
    ("axes", "AccessLog"): "ログイン履歴",
    ("otp_totp", "TOTPDevice"): "二要素認証（認証アプリ）",
    ("otp_static", "StaticDevice"): "二要素認証（予備コード）",
    ("contracts", "WebhookReceipt"): "Webhook受信記録",
    ("contracts", "SyncState"): "署名状況の同期状態",
    ("core", "StoredFile"): "保存ファイル",
}
# Every model of these apps is technical.
SYSTEM_APPS = {"axes", "otp_totp", "otp_static", "esign_sandbox"}
SYSTEM_APP_LABEL = "system"
SYSTEM_SECTION = "システム管理"


def is_system_model(app_label: str, object_name: str) -> bool:
    return app_label in SYSTEM_APPS or (app_label, object_name) in SYSTEM_MODELS


def is_system_administrator(user) -> bool:
    return bool(user.is_active and user.is_superuser)


def regroup_app_list(app_list: list[dict], user) -> list[dict]:
    """Take the technical models out of their apps; superusers get them in one section, last."""
    system_models = []
    result = []
    for app in app_list:
        kept = []
        for model in app["models"]:
            key = (app["app_label"], model["object_name"])
            if is_system_model(*key):
                label = SYSTEM_MODELS.get(key) or f"{app['name']}: {model['name']}"
                system_models.append({**model, "name": label})
            else:
                kept.append(model)
        if kept:
            result.append({**app, "models": kept})
    if system_models and is_system_administrator(user):
        system_models.sort(key=lambda m: m["name"])
        result.append(
            {
                "name": SYSTEM_SECTION,
                "app_label": SYSTEM_APP_LABEL,
                "app_url": "",
                "has_module_perms": True,
                "models": system_models,
            }
        )
    return result


def install(site: admin.AdminSite) -> None:
    """Wrap the site's index and app list (instance attributes, before its URLs are built)."""
    original_get_app_list = site.get_app_list
    original_index = site.index
    original_app_index = site.app_index

    def get_app_list(request: HttpRequest, app_label: str | None = None):
        if app_label == SYSTEM_APP_LABEL:
            app_label = None
        # Once per request: the index and the navigation sidebar both ask for it.
        built = request.__dict__.setdefault("_app_lists", {})
        if app_label not in built:
            built[app_label] = regroup_app_list(
                original_get_app_list(request, app_label), request.user
            )
        return built[app_label]

    def index(request: HttpRequest, extra_context=None):
        context = {"queue": work_queue(request.user), **(extra_context or {})}
        return original_index(request, context)

    def app_index(request: HttpRequest, app_label: str, extra_context=None):
        if app_label in SYSTEM_APPS and not is_system_administrator(request.user):
            raise PermissionDenied
        return original_app_index(request, app_label, extra_context)

    site.get_app_list = get_app_list
    site.index = index
    site.app_index = app_index


def restrict_system_admins(site: admin.AdminSite) -> None:
    """The technical models' pages answer only system administrators (after every admin module
    has registered, i.e. from an AppConfig.ready())."""

    def only_superusers(original):
        def check(request, *args, **kwargs):
            return is_system_administrator(request.user) and original(request, *args, **kwargs)

        return check

    for model, model_admin in site._registry.items():
        if not is_system_model(model._meta.app_label, model._meta.object_name):
            continue
        for name in (
            "has_module_permission",
            "has_view_permission",
            "has_add_permission",
            "has_change_permission",
            "has_delete_permission",
        ):
            setattr(model_admin, name, only_superusers(getattr(model_admin, name)))
