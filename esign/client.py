"""A small client for the CloudSign Web API (v0.31.0), exactly as published.

Form-encoded bodies, multipart ``name`` + ``uploadfile`` for files, ``Authorization: Bearer``.
Every call has connect/read timeouts, is logged (method, path, status, duration; never the token)
and maps failures onto :mod:`esign.errors`: transient (retry later) or permanent (record and show).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import requests

from esign.errors import (
    CloudSignError,
    GatewayTimeout,
    NotAcceptable,
    NotFound,
    PermanentError,
    RateLimited,
    TransientError,
    Unauthorized,
)
from esign.types import (
    Document,
    DocumentList,
    File,
    Participant,
    Reportee,
    Widget,
    format_time,
    new_child,
)

logger = logging.getLogger("esign.client")

# The hosts of the specification; any of them (or the local sandbox) is a valid base URL.
PRODUCTION = "https://api.cloudsign.jp"
SANDBOX = "https://api-sandbox.cloudsign.jp"
LGWAN_PRODUCTION = "https://lgwan-api.cloudsign.jp"
LGWAN_SANDBOX = "https://lgwan-api-sandbox.cloudsign.jp"
# A valid token is reused (the service hands out the same one until it expires anyway); a new one
# is asked for only in the last few seconds, or after a 401.
TOKEN_REFRESH_MARGIN = 5  # seconds
# CloudSign holds a request up to 180 s before its gateway answers 504 (and carries on).
DEFAULT_READ_TIMEOUT = 190.0
SEEN_LIMIT = 256


def _bool(value: bool) -> str:
    return "true" if value else "false"


class CloudSignClient:
    def __init__(
        self,
        base_url: str,
        client_id: str,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        session: requests.Session | None = None,
        before_request: Callable[[], None] | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.timeout = (connect_timeout, read_timeout)
        self.session = session or requests.Session()  # keep-alive across calls
        # Called before every request: a shared rate limiter (all workers under 800/min).
        self.before_request = before_request
        self.calls = 0  # requests sent by this client (the sweep bench reads it)
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = threading.Lock()
        # The last version of each document seen, to find the child a write added.
        self._seen: OrderedDict[str, Document] = OrderedDict()

    # --- plumbing -------------------------------------------------------------------------

    def _error(self, response: requests.Response, method: str, path: str) -> CloudSignError:
        code, message = "", response.reason or "error"
        if response.headers.get("Content-Type", "").startswith("application/json"):
            try:
                body = response.json()
                code = str(body.get("error", ""))
                message = str(body.get("message", "")) or message
            except ValueError:
                pass
        kwargs = {"status": response.status_code, "code": code, "method": method, "path": path}
        status = response.status_code
        if status == 429:
            return RateLimited(message, **kwargs)
        if status == 504:
            return GatewayTimeout(message or "gateway timeout", **kwargs)
        if status >= 500:
            return TransientError(message, **kwargs)
        if status == 401:
            return Unauthorized(message, **kwargs)
        if status == 404:
            return NotFound(message, **kwargs)
        if status == 403 and code == "not_acceptable":
            return NotAcceptable(message, **kwargs)
        return PermanentError(message, **kwargs)

    def _send(self, method: str, path: str, *, auth: bool = True, **kwargs) -> requests.Response:
        url = self.base_url + path
        headers = kwargs.pop("headers", {})
        if auth:
            headers["Authorization"] = f"Bearer {self.token()}"
        if self.before_request is not None:
            self.before_request()
        self.calls += 1
        started = time.monotonic()
        try:
            response = self.session.request(
                method, url, headers=headers, timeout=self.timeout, **kwargs
            )
        except requests.ReadTimeout as exc:
            logger.warning(
                "cloudsign %s %s timeout after %.3fs", method, path, time.monotonic() - started
            )
            error_class = TransientError if method == "GET" else GatewayTimeout
            raise error_class(f"read timeout: {exc}", method=method, path=path) from None
        except requests.RequestException as exc:
            logger.warning("cloudsign %s %s failed: %s", method, path, exc.__class__.__name__)
            raise TransientError(
                f"connection error: {exc.__class__.__name__}", method=method, path=path
            ) from None
        logger.info(
            "cloudsign %s %s %s %.3fs",
            method,
            path,
            response.status_code,
            time.monotonic() - started,
        )
        return response

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self._send(method, path, **kwargs)
        if response.status_code == 401:
            # The token may have expired early: get a fresh one and try once more.
            self._invalidate_token()
            response = self._send(method, path, **kwargs)
        if response.status_code >= 400:
            raise self._error(response, method, path)
        return response

    def _document(self, method: str, path: str, **kwargs) -> Document:
        doc = Document.from_json(self._call(method, path, **kwargs).json())
        self._seen[doc.id] = doc
        self._seen.move_to_end(doc.id)
        while len(self._seen) > SEEN_LIMIT:
            self._seen.popitem(last=False)
        return doc

    def _before(self, document_id: str) -> Document | None:
        return self._seen.get(document_id)

    def _pdf(self, path: str) -> bytes:
        response = self._call("GET", path)
        if not response.headers.get("Content-Type", "").startswith("application/pdf"):
            raise PermanentError(
                "expected a PDF", status=response.status_code, method="GET", path=path
            )
        return response.content

    # --- token ----------------------------------------------------------------------------

    def token(self) -> str:
        """The cached access token, reused until a few seconds before it expires."""
        with self._token_lock:
            if self._token and time.monotonic() < self._token_expires - TOKEN_REFRESH_MARGIN:
                return self._token
            response = self._send("POST", "/token", auth=False, data={"client_id": self.client_id})
            if response.status_code >= 400:
                raise self._error(response, "POST", "/token")
            body = response.json()
            self._token = body["access_token"]
            self._token_expires = time.monotonic() + int(body.get("expires_in", 0))
            return self._token

    def _invalidate_token(self) -> None:
        with self._token_lock:
            self._token = None
            self._token_expires = 0.0

    # --- documents ------------------------------------------------------------------------

    def create_document(
        self,
        *,
        title: str,
        note: str = "",
        message: str = "",
        can_transfer: bool = False,
        private: bool = False,
    ) -> Document:
        """POST /documents: a new draft. Not idempotent: after a GatewayTimeout, look for the
        draft (``list_documents(status=0)``) before creating another."""
        return self._document(
            "POST",
            "/documents",
            data={
                "title": title,
                "note": note,
                "message": message,
                "can_transfer": _bool(can_transfer),
                "private": _bool(private),
            },
        )

    def update_document(self, document_id: str, **fields: Any) -> Document:
        """PUT /documents/{id}: title, note, message, can_transfer, private."""
        data = {k: _bool(v) if isinstance(v, bool) else v for k, v in fields.items()}
        return self._document("PUT", f"/documents/{document_id}", data=data)

    def delete_document(self, document_id: str) -> None:
        """DELETE /documents/{id}: drafts only (204)."""
        self._call("DELETE", f"/documents/{document_id}")

    def get_document(self, document_id: str) -> Document:
        return self._document("GET", f"/documents/{document_id}")

    def send_document(self, document_id: str) -> Document:
        """POST /documents/{id}: sends a draft; on a sent document it reminds the current
        recipient (a new 10-day link; the old one stops working). After a GatewayTimeout,
        re-read: status 1 means the send happened."""
        return self._document("POST", f"/documents/{document_id}")

    remind = send_document

    def decline_document(self, document_id: str, comment: str) -> Document:
        """PUT /documents/{id}/decline: cancel a document awaiting the counterparty."""
        return self._document("PUT", f"/documents/{document_id}/decline", data={"comment": comment})

    def list_documents(
        self,
        *,
        page: int = 1,
        status: int | None = None,
        from_: dt.datetime | None = None,
        to: dt.datetime | None = None,
        with_files: bool = True,
        with_participants: bool = True,
        with_reportees: bool = False,
    ) -> DocumentList:
        """GET /documents: 100 a page; ``from_``/``to`` filter on last_processed_at."""
        params: dict[str, Any] = {
            "page": page,
            "with_files": "y" if with_files else "n",
            "with_participants": "y" if with_participants else "n",
            "with_reportees": "y" if with_reportees else "n",
        }
        if status is not None:
            params["status"] = status
        if from_ is not None:
            params["from"] = format_time(from_)
        if to is not None:
            params["to"] = format_time(to)
        return DocumentList.from_json(self._call("GET", "/documents", params=params).json())

    # --- files, participants, reportees, widgets ------------------------------------------

    def add_file(self, document_id: str, *, name: str, data: bytes) -> tuple[Document, File]:
        """POST /documents/{id}/files (multipart ``name`` + ``uploadfile``). After a
        GatewayTimeout, re-read and look for the file by name before uploading again."""
        before = self._before(document_id)
        doc = self._document(
            "POST",
            f"/documents/{document_id}/files",
            data={"name": name},
            # The display name travels in `name`; the part's own filename stays ASCII.
            files={"uploadfile": ("upload.pdf", data, "application/pdf")},
        )
        added = new_child(list(before.files), list(doc.files)) if before else None
        return doc, added or max(doc.files, key=lambda f: f.order)

    def delete_file(self, document_id: str, file_id: str) -> Document:
        return self._document("DELETE", f"/documents/{document_id}/files/{file_id}")

    def download_file(self, document_id: str, file_id: str) -> bytes:
        """GET /documents/{id}/files/{fileID}: the signed PDF once concluded."""
        return self._pdf(f"/documents/{document_id}/files/{file_id}")

    def download_certificate(self, document_id: str) -> bytes:
        """GET /documents/{id}/certificate: the 合意締結証明書 (404 before conclusion)."""
        return self._pdf(f"/documents/{document_id}/certificate")

    def add_participant(
        self,
        document_id: str,
        *,
        name: str,
        email: str,
        organization: str = "",
        language_code: str = "ja",
    ) -> tuple[Document, Participant]:
        """POST /documents/{id}/participants: recipients sign in the order they are added.
        After a GatewayTimeout, re-read and look for the e-mail before adding again."""
        before = self._before(document_id)
        doc = self._document(
            "POST",
            f"/documents/{document_id}/participants",
            data={
                "name": name,
                "email": email,
                "organization": organization,
                "language_code": language_code,
            },
        )
        added = new_child(list(before.participants), list(doc.participants)) if before else None
        return doc, added or self._find(doc.participants, email)

    def update_participant(self, document_id: str, participant_id: str, **fields: str) -> Document:
        return self._document(
            "PUT", f"/documents/{document_id}/participants/{participant_id}", data=fields
        )

    def remove_participant(self, document_id: str, participant_id: str) -> Document:
        return self._document("DELETE", f"/documents/{document_id}/participants/{participant_id}")

    def add_reportee(
        self, document_id: str, *, name: str, email: str, organization: str = ""
    ) -> tuple[Document, Reportee]:
        """POST /documents/{id}/reportees: a 共有先 (sees the document and the completion mail)."""
        before = self._before(document_id)
        doc = self._document(
            "POST",
            f"/documents/{document_id}/reportees",
            data={"name": name, "email": email, "organization": organization},
        )
        added = new_child(list(before.reportees), list(doc.reportees)) if before else None
        return doc, added or self._find(doc.reportees, email)

    def add_widget(
        self,
        document_id: str,
        file_id: str,
        *,
        participant_id: str,
        widget_type: int,
        page: int,
        x: int,
        y: int,
        text: str = "",
        label: str = "",
    ) -> tuple[Document, Widget]:
        """POST .../widgets: type 0 押印, 1 フリーテキスト, 2 チェックボックス; page 0-based."""
        cached = self._before(document_id)
        before = next((f.widgets for f in cached.files if f.id == file_id), ()) if cached else ()
        data = {
            "participant_id": participant_id,
            "type": widget_type,
            "page": page,
            "x": x,
            "y": y,
        }
        if text:
            data["text"] = text
        if label:
            data["label"] = label
        doc = self._document("POST", f"/documents/{document_id}/files/{file_id}/widgets", data=data)
        f = next(f for f in doc.files if f.id == file_id)
        return doc, new_child(list(before), list(f.widgets))

    def me(self) -> dict[str, Any]:
        return self._call("GET", "/me").json()

    @staticmethod
    def _find(children, email: str):
        email = email.lower()
        return next((c for c in children if c.email.lower() == email), None)
