"""Fail-closed scan of a PDF's object graph for active content.

Every object reachable from the trailer is visited once (a bounded walk). The document is refused
when it carries anything a viewer could run, open or send on its own or on a click that leaves
the document: JavaScript anywhere (catalogue name tree, OpenAction, /Next chains, page,
annotation and widget /AA, outline items, renditions), launch, GoToR/GoToE (remote documents,
e.g. ``\\\\host\\share``), SubmitForm, ImportData, movies, sounds, 3D and rich media, XFA forms,
embedded files (/EmbeddedFiles, /EF file specifications, /AF associated files, file attachment
annotations), and URI actions that fire without a click (in /OpenAction or /AA chains) or whose
scheme is not http(s) or mailto.

A plain link annotation to an ``http(s)://`` or ``mailto:`` address is allowed: contract documents
and schedules legitimately carry them, viewers ask before opening them, and the link does nothing
until the reader clicks it (README 「本番運用とセキュリティ」).

Anything the scan cannot walk — a reference to a missing object, a cross-reference table pypdf had
to rebuild, more objects than the budget — is refused: "cannot tell" never means "clean".
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field

from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NullObject,
)

# Keys whose mere presence means active or embedded content.
ACTIVE_KEYS = frozenset(
    {
        "/JavaScript",  # name tree of document scripts
        "/JS",  # a script (string or stream)
        "/EmbeddedFiles",  # name tree of attachments
        "/EF",  # a file specification with the file inside
        "/AF",  # associated files (PDF 2.0)
        "/XFA",  # XML forms: scripted
        "/RichMediaContent",
        "/RichMediaSettings",
    }
)
# Annotation subtypes that play, embed or attach something.
ACTIVE_SUBTYPES = frozenset({"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"})
# Object types that are themselves embedded content.
ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/Rendition", "/RichMediaInstance"})
# Action types that are refused wherever they are.
REFUSED_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/GoToR",
        "/GoToE",
        "/SubmitForm",
        "/ImportData",
        "/Rendition",
        "/Movie",
        "/Sound",
        "/RichMediaExecute",
        "/GoTo3DView",
    }
)
SAFE_URI_SCHEMES = ("http://", "https://", "mailto:")
# pypdf's messages when it had to guess the document's structure.
_REPAIR_HINTS = ("xref", "startxref", "not defined", "invalid parent", "trailer")


class ScanRefusal(Exception):
    """Why the document is refused: ``code`` is ``active_content``, ``unwalkable`` (a structure
    the scan cannot follow) or ``too_complex`` (over the object budget)."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class _RepairLog(logging.Handler):
    messages: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, level=logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < 100:
            self.messages.append(record.getMessage())

    def __hash__(self) -> int:
        return id(self)


@contextmanager
def repairs_recorded():
    """Collect pypdf's warnings while the document is read (a rebuilt xref, missing objects)."""
    handler = _RepairLog()
    log = logging.getLogger("pypdf")
    level, propagate = log.level, log.propagate
    # whatever LOG_LEVEL says, the warnings reach the handler (and only it: they are noise)
    log.setLevel(logging.WARNING)
    log.propagate = False
    log.addHandler(handler)
    try:
        yield handler.messages
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
        log.propagate = propagate


def check_repairs(messages: list[str]) -> None:
    for message in messages:
        if any(hint in message.lower() for hint in _REPAIR_HINTS):
            raise ScanRefusal("unwalkable", f"structure repaired by the reader: {message[:120]}")


def scan(reader, *, max_objects: int = 50_000) -> int:
    """Walk every object reachable from the trailer; raise ScanRefusal; return the count."""
    seen: set[tuple[int, int, str, bool]] = set()
    # (object, role: "plain" | "action" | "aa", does the action run without a click)
    stack: list[tuple[object, str, bool]] = [(reader.trailer, "plain", False)]
    visited = 0
    while stack:
        obj, role, automatic = stack.pop()
        if isinstance(obj, IndirectObject):
            # the same object reached as an action, or automatically, is checked again as such
            ref = (obj.idnum, obj.generation, role, automatic)
            if ref in seen:
                continue
            seen.add(ref)
            target = obj.get_object()
            if target is None or isinstance(target, NullObject):
                raise ScanRefusal("unwalkable", f"dangling reference {ref[0]} {ref[1]} R")
            obj = target
        visited += 1
        if visited > max_objects:
            raise ScanRefusal("too_complex", f"more than {max_objects} objects")
        if isinstance(obj, DictionaryObject):
            _check_dict(obj, is_action=role == "action", automatic=automatic)
            for key, value in obj.items():
                if role == "aa":
                    stack.append((value, "action", True))  # /O, /C, /K, /F, /V, /PO …
                elif key == "/AA":
                    stack.append((value, "aa", True))
                elif key == "/OpenAction":
                    stack.append((value, "action", True))
                elif key == "/Next" and role == "action":
                    stack.append((value, "action", automatic))
                elif key in ("/A", "/PA"):
                    stack.append((value, "action", automatic and role == "action"))
                else:
                    stack.append((value, "plain", False))
        elif isinstance(obj, ArrayObject):
            # an array under /Next holds actions; under /OpenAction, a destination (harmless)
            stack.extend((item, role, automatic) for item in obj)
    return visited


def _check_dict(obj: DictionaryObject, *, is_action: bool, automatic: bool) -> None:
    if not ACTIVE_KEYS.isdisjoint(obj):
        raise ScanRefusal("active_content", f"key {sorted(ACTIVE_KEYS.intersection(obj))[0]}")
    if obj.get("/Subtype") in ACTIVE_SUBTYPES:
        raise ScanRefusal("active_content", f"annotation {obj.get('/Subtype')}")
    if obj.get("/Type") in ACTIVE_TYPES:
        raise ScanRefusal("active_content", f"object {obj.get('/Type')}")
    kind = obj.get("/S")
    if kind in REFUSED_ACTIONS:  # wherever it sits: no other dictionary uses these /S values
        raise ScanRefusal("active_content", f"action {kind}")
    if (is_action or obj.get("/Type") == "/Action") and kind == "/URI":
        uri = obj.get("/URI")
        if isinstance(uri, IndirectObject):
            uri = uri.get_object()
        text = uri.decode("latin-1") if isinstance(uri, bytes) else str(uri or "")
        if automatic:
            raise ScanRefusal("active_content", "URI action without a click")
        if not text.strip().lower().startswith(SAFE_URI_SCHEMES):
            raise ScanRefusal("active_content", "URI action to a non-web address")
