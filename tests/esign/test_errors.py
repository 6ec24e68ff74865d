"""Unit tests of the error mapping (responses made by hand: the network edge only)."""

import json

import pytest
import requests

from esign.client import CloudSignClient
from esign.errors import (
    GatewayTimeout,
    NotAcceptable,
    NotFound,
    PermanentError,
    RateLimited,
    TransientError,
    Unauthorized,
)
from esign.types import Document, DocumentStatus, ParticipantStatus


def response(status: int, body=None, content_type="application/json") -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r.headers["Content-Type"] = content_type
    r._content = json.dumps(body).encode() if body is not None else b"<html>gateway</html>"
    return r


@pytest.mark.parametrize(
    ("status", "code", "cls", "transient"),
    [
        (400, "bad_request", PermanentError, False),
        (401, "unauthorized", Unauthorized, False),
        (403, "not_acceptable", NotAcceptable, False),
        (403, "forbidden", PermanentError, False),
        (404, "not_found", NotFound, False),
        (409, "conflict", PermanentError, False),
        (413, "too_large_request", PermanentError, False),
        (415, "unsupported_media_type", PermanentError, False),
        (429, "too_many_requests", RateLimited, True),
        (500, "internal_server_error", TransientError, True),
        (503, "", TransientError, True),
    ],
)
def test_status_and_code_map_to_error_classes(status, code, cls, transient):
    client = CloudSignClient("http://example.invalid", "x")
    error = client._error(response(status, {"error": code, "message": "m"}), "GET", "/x")
    assert type(error) is cls
    assert error.transient is transient
    assert (error.status, error.code, error.message) == (status, code, "m")


def test_504_without_json_body_is_a_gateway_timeout():
    client = CloudSignClient("http://example.invalid", "x")
    error = client._error(response(504, content_type="text/html"), "POST", "/documents/x")
    assert isinstance(error, GatewayTimeout) and error.transient and error.maybe_committed
    assert error.code == ""


def test_rate_limited_waits_sixty_seconds():
    assert RateLimited("x").retry_after == 60


def test_unknown_fields_and_statuses_are_tolerated():
    doc = Document.from_json(
        {
            "id": "a" * 32,
            "title": "t",
            "status": 13,
            "brand_new_field": {"x": 1},
            "participants": [
                {"id": "b" * 32, "email": "e@example.jp", "name": "n", "order": 1, "status": 99}
            ],
            "last_processed_at": "2025-11-25T01:02:03.123456Z",
        }
    )
    assert doc.status == DocumentStatus.IMPORTED
    assert doc.participants[0].status == 99
    assert doc.last_processed_at.isoformat() == "2025-11-25T01:02:03.123456+00:00"
    assert ParticipantStatus(4).name == "WAITING"
