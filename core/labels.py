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
}

PAYLOAD_LABELS: dict[str, str] = {
    "since": "起点",
    "filters": "絞り込み条件",
    "files": "ファイル",
    "entry": "記録",
    "contracts": "契約",
    "contract": "契約",
    "changes": "変更内容",
    "before": "変更前",
    "after": "変更後",
    "actual": "実際の値",
    "attempts": "試行回数",
    "code": "コード",
    "comment": "コメント",
    "company_id": "事業者",
    "corrected": "訂正",
    "count": "件数",
    "created": "新規",
    "deadline": "期限",
    "differences": "相違",
    "document_id": "書類ID",
    "documents": "書類",
    "econtract": "電子契約利用申出書",
    "email": "メールアドレス",
    "expected": "期待した値",
    "field": "項目",
    "file": "ファイル",
    "kind": "種類",
    "message": "内容",
    "name": "ファイル名",
    "new": "新しい値",
    "original": "元の契約",
    "pages": "ページ数",
    "path": "保存先",
    "reason": "理由",
    "receipt_number": "到達番号",
    "recovery_code": "予備コード",
    "revision": "提出回数",
    "rows": "行数",
    "sha256": "SHA-256",
    "signature": "電子署名",
    "signer": "署名者",
    "signing_request": "署名依頼",
    "status": "状態",
    "updated": "更新",
    "user_id": "利用者",
    "warnings": "注意事項",
    "invited": "招待メール（件）",
}

# Each app registers the kinds of file it stores (AppConfig.ready()).
STORED_FILE_KINDS: dict[str, str] = {}

SYSTEM_ACTOR = "システム（自動処理）"


def register(*, actions: dict[str, str] | None = None, file_kinds: dict[str, str] | None = None):
    """Called by each app from its AppConfig.ready() with the codes it writes."""
    ACTION_LABELS.update(actions or {})
    STORED_FILE_KINDS.update(file_kinds or {})


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
