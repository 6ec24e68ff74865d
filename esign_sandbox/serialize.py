"""JSON as the CloudSign specification shapes it (documentModel and its children)."""

from __future__ import annotations

import datetime as dt

from esign_sandbox.models import DocStatus, Document, PStatus


def ts_micro(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ts_seconds(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def participant_json(p) -> dict:
    data = {
        "id": p.id,
        "email": p.email,
        "name": p.name,
        "organization": p.organization,
        "order": p.order,
        "status": p.status,
        "language_code": p.language_code,
        "advanced_authn_request": False,
        "tel": "",
        "recipient_id": "",
        "callback": False,
    }
    if p.access_code:
        data["access_code"] = p.access_code
    if p.processed_at:
        data["processed_at"] = ts_micro(p.processed_at)
    if p.status == PStatus.WAITING and p.access_expires_at:
        data["access_expires_at"] = ts_seconds(p.access_expires_at)
    return data


def widget_json(w) -> dict:
    data = {
        "id": w.id,
        "widget_type": w.widget_type,
        "participant_id": w.participant_id,
        "file_id": w.file_id,
        "page": w.page,
        "x": w.x,
        "y": w.y,
        "w": 120 if w.widget_type == 1 else 60,
        "h": 20 if w.widget_type == 1 else 60,
        "text": w.text,
        "status": 1 if w.text else 0,
        "label": w.label,
    }
    if w.font_size:
        data["font_size"] = w.font_size
    if w.widget_type == 2:
        data["required"] = w.required
    return data


def file_json(f) -> dict:
    return {
        "id": f.id,
        "name": f.name,
        "order": f.order,
        "total_pages": f.total_pages,
        "widgets": [widget_json(w) for w in f.widgets.all()],
    }


def reportee_json(r) -> dict:
    return {"id": r.id, "email": r.email, "name": r.name, "organization": r.organization}


def document_json(
    doc: Document,
    *,
    with_files: bool = True,
    with_participants: bool = True,
    with_reportees: bool = True,
) -> dict:
    data = {
        "id": doc.id,
        "user_id": doc.account.user_id,
        "title": doc.title,
        "note": doc.note,
        "message": doc.message,
        "status": doc.status,
        "can_transfer": doc.can_transfer,
        "private": doc.private,
        "last_processed_at": ts_micro(doc.last_processed_at),
        "created_at": ts_seconds(doc.created_at),
        "updated_at": ts_seconds(doc.updated_at),
    }
    # The specification types sent_at as a string (not nullable): a draft omits it.
    if doc.sent_at is not None:
        data["sent_at"] = ts_micro(doc.sent_at)
    if with_participants:
        data["participants"] = [participant_json(p) for p in doc.participants.all()]
    if with_files:
        data["files"] = [file_json(f) for f in doc.files.all()]
    if with_reportees:
        data["reportees"] = [reportee_json(r) for r in doc.reportees.all()]
    if doc.status in (DocStatus.CANCELED,) or doc.decline_comment:
        data["decline_comment"] = doc.decline_comment
    return data
