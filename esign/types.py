"""Typed results of the CloudSign API. Unknown JSON fields are ignored (the service adds fields
at any time without notice); unknown status codes are kept as plain ints."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any


class DocumentStatus(enum.IntEnum):
    DRAFT = 0
    WAITING = 1  # 先方確認中
    CONCLUDED = 2  # 締結済
    CANCELED = 3  # 取消、または却下
    TEMPLATE = 4
    IMPORTED = 13

    @property
    def label(self) -> str:
        return DOCUMENT_LABELS[self]


DOCUMENT_LABELS = {
    DocumentStatus.DRAFT: "下書き",
    DocumentStatus.WAITING: "先方確認中",
    DocumentStatus.CONCLUDED: "締結済",
    DocumentStatus.CANCELED: "取消、または却下",
    DocumentStatus.TEMPLATE: "テンプレート",
    DocumentStatus.IMPORTED: "インポート書類",
}


class ParticipantStatus(enum.IntEnum):
    NO_ACCESS = 0
    DRAFT = 2
    QUEUED = 3  # 配信待ち
    WAITING = 4  # 確認待ち
    SENT = 6  # 送信済み
    CONFIRMED = 7  # 確認済み
    SEALED = 8  # 押印または入力済み
    REJECTED = 9  # 却下
    CANCELED = 10  # キャンセル
    SIGNING = 12  # 署名中


def _enum(cls, value):
    try:
        return cls(int(value))
    except (ValueError, TypeError):
        return value  # an unknown code is kept, not refused


def parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def format_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Widget:
    id: str
    widget_type: int
    participant_id: str
    page: int
    x: int
    y: int
    text: str = ""

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Widget:
        return cls(
            id=d["id"],
            widget_type=int(d.get("widget_type", 0)),
            participant_id=d.get("participant_id", ""),
            page=int(d.get("page", 0)),
            x=int(d.get("x", 0)),
            y=int(d.get("y", 0)),
            text=d.get("text", "") or "",
        )


@dataclass(frozen=True)
class File:
    id: str
    name: str
    order: int
    total_pages: int
    widgets: tuple[Widget, ...] = ()

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> File:
        return cls(
            id=d["id"],
            name=d.get("name", ""),
            order=int(d.get("order", 0)),
            total_pages=int(d.get("total_pages", 0)),
            widgets=tuple(Widget.from_json(w) for w in d.get("widgets") or ()),
        )


@dataclass(frozen=True)
class Participant:
    id: str
    email: str
    name: str
    organization: str
    order: int
    status: ParticipantStatus | int
    processed_at: dt.datetime | None = None
    access_expires_at: dt.datetime | None = None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Participant:
        return cls(
            id=d["id"],
            email=d.get("email", ""),
            name=d.get("name", ""),
            organization=d.get("organization", "") or "",
            order=int(d.get("order", 0)),
            status=_enum(ParticipantStatus, d.get("status")),
            processed_at=parse_time(d.get("processed_at")),
            access_expires_at=parse_time(d.get("access_expires_at")),
        )

    @property
    def is_sender(self) -> bool:
        return self.order == 0


@dataclass(frozen=True)
class Reportee:
    id: str
    email: str
    name: str
    organization: str = ""

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Reportee:
        return cls(
            id=d["id"],
            email=d.get("email", ""),
            name=d.get("name", ""),
            organization=d.get("organization", "") or "",
        )


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    status: DocumentStatus | int
    note: str = ""
    message: str = ""
    can_transfer: bool = False
    private: bool = False
    sent_at: dt.datetime | None = None
    last_processed_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    decline_comment: str = ""
    participants: tuple[Participant, ...] = ()
    files: tuple[File, ...] = ()
    reportees: tuple[Reportee, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Document:
        return cls(
            id=d["id"],
            title=d.get("title", ""),
            status=_enum(DocumentStatus, d.get("status")),
            note=d.get("note", "") or "",
            message=d.get("message", "") or "",
            can_transfer=bool(d.get("can_transfer", False)),
            private=bool(d.get("private", False)),
            sent_at=parse_time(d.get("sent_at")),
            last_processed_at=parse_time(d.get("last_processed_at")),
            created_at=parse_time(d.get("created_at")),
            updated_at=parse_time(d.get("updated_at")),
            decline_comment=d.get("decline_comment", "") or "",
            participants=tuple(Participant.from_json(p) for p in d.get("participants") or ()),
            files=tuple(File.from_json(f) for f in d.get("files") or ()),
            reportees=tuple(Reportee.from_json(r) for r in d.get("reportees") or ()),
            raw=d,
        )

    @property
    def recipients(self) -> tuple[Participant, ...]:
        return tuple(sorted((p for p in self.participants if p.order > 0), key=lambda p: p.order))

    def participant_by_email(self, email: str) -> Participant | None:
        email = email.lower()
        return next((p for p in self.participants if p.email.lower() == email), None)

    def reportee_by_email(self, email: str) -> Reportee | None:
        email = email.lower()
        return next((r for r in self.reportees if r.email.lower() == email), None)


@dataclass(frozen=True)
class DocumentList:
    total: int
    page: int
    documents: tuple[Document, ...]

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DocumentList:
        return cls(
            total=int(d.get("total", 0)),
            page=int(d.get("page", 1)),
            documents=tuple(Document.from_json(x) for x in d.get("documents") or ()),
        )


def new_child(before: list, after: list):
    """The child that a write added: the API returns the whole document, not the child."""
    known = {c.id for c in before}
    added = [c for c in after if c.id not in known]
    return added[-1] if added else None
