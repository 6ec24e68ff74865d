"""Japanese labels for the codes that records keep (audit action types, payload keys, stored-file
kinds), so that no raw code reaches a screen. Codes stay in the database; labels are for people.

Each app registers the labels of the codes it writes from its AppConfig.ready(), so core needs
nothing from a higher layer.
"""

from __future__ import annotations

import json
from typing import Any

# Each app registers the labels of the actions it records (AppConfig.ready()).
ACTION_LABELS: dict[str, str] = {
    "file.downloaded": "ファイルのダウンロード",
    "import.run": "一括取込み",
    "integrity.missing": "保存ファイルの欠落",
    "integrity.mismatch": "保存ファイルの改変の疑い",
    "core.secrets_reencrypted": "認証キー・閲覧用パスワードの再暗号化（鍵の更新）",
}

# The keys core writes and the common ones (before/after, file, reason …); each app registers
# the keys of its own payloads (AppConfig.ready()).
PAYLOAD_LABELS: dict[str, str] = {
    "since": "起点",
    "filters": "絞り込み条件",
    "files": "ファイル",
    "entry": "記録",
    "changes": "変更内容",
    "before": "変更前",
    "after": "変更後",
    "actual": "実際の値",
    "code": "コード",
    "comment": "コメント",
    "count": "件数",
    "created": "新規",
    "email": "メールアドレス",
    "expected": "期待した値",
    "field": "項目",
    "file": "ファイル",
    "kind": "種類",
    "message": "内容",
    "name": "ファイル名",
    "new": "新しい値",
    "pages": "ページ数",
    "path": "保存先",
    "reason": "理由",
    "rows": "行数",
    "sha256": "SHA-256",
    "status": "状態",
    "updated": "更新",
    "warnings": "注意事項",
}

# Each app registers the kinds of file it stores (AppConfig.ready()).
STORED_FILE_KINDS: dict[str, str] = {}

# What an action's prefix means (``contract.sent`` → 契約), for the audit log's filter: a fixed
# list (the filter never reads the audit table, which grows forever), each app adding its own.
ACTION_GROUPS: dict[str, str] = {
    "file": "ファイルのダウンロード",
    "integrity": "ファイルの整合性",
}

# The apps whose records are audit targets (the audit log's 「対象の種類」 filter).
AUDIT_TARGET_APPS: list[str] = ["core"]

SYSTEM_ACTOR = "システム（自動処理）"


def register(
    *,
    actions: dict[str, str] | None = None,
    file_kinds: dict[str, str] | None = None,
    payload: dict[str, str] | None = None,
    action_groups: dict[str, str] | None = None,
    audit_target: str | None = None,
) -> None:
    """Called by each app from its AppConfig.ready() with the codes it writes: its audit
    actions, its stored-file kinds, its payload keys, its action prefixes, and its label when
    its records are audit targets."""
    ACTION_LABELS.update(actions or {})
    STORED_FILE_KINDS.update(file_kinds or {})
    PAYLOAD_LABELS.update(payload or {})
    ACTION_GROUPS.update(action_groups or {})
    if audit_target and audit_target not in AUDIT_TARGET_APPS:
        AUDIT_TARGET_APPS.append(audit_target)


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    # Master records edited in the admin: 「<model>.created」「<model>.changed」.
    name, _, verb = action.rpartition(".")
    if verb in ("created", "changed"):
        from django.apps import apps

        for model in apps.get_models():
            if model._meta.model_name == name:
                return f"{model._meta.verbose_name}の{'登録' if verb == 'created' else '変更'}"
    return "その他の操作"


def stored_file_kind_label(kind: str) -> str:
    return STORED_FILE_KINDS.get(kind, "その他のファイル")


def payload_rows(payload: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) pairs of an audit payload; values as compact JSON when not text."""
    rows = []
    for key, value in (payload or {}).items():
        label = PAYLOAD_LABELS.get(key, "その他")
        if isinstance(value, str):
            text = value
        elif isinstance(value, bool):
            text = "はい" if value else "いいえ"
        else:
            text = json.dumps(value, ensure_ascii=False)
        rows.append((label, text))
    return rows
