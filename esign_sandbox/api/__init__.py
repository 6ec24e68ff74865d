"""The CloudSign Web API (v0.31.0) as the local sandbox serves it, one module per resource:
``auth`` (/token, /me), ``documents``, ``files`` (and widgets), ``participants`` (and reportees);
``common`` holds the request pipeline, ``limits`` the service's limits."""

from esign_sandbox.api.auth import me, token
from esign_sandbox.api.common import DEMO_CLIENT_ID, endpoint, unknown_route
from esign_sandbox.api.documents import (
    certificate,
    create_document,
    decline_document,
    delete_document,
    get_document,
    list_documents,
    send_document,
    update_document,
)
from esign_sandbox.api.files import add_file, add_widget, delete_file, get_file
from esign_sandbox.api.participants import (
    add_participant,
    add_reportee,
    remove_participant,
    remove_reportee,
    update_participant,
    update_reportee,
)

__all__ = [
    "DEMO_CLIENT_ID",
    "add_file",
    "add_participant",
    "add_reportee",
    "add_widget",
    "certificate",
    "create_document",
    "decline_document",
    "delete_document",
    "delete_file",
    "endpoint",
    "get_document",
    "get_file",
    "list_documents",
    "me",
    "remove_participant",
    "remove_reportee",
    "send_document",
    "token",
    "unknown_route",
    "update_document",
    "update_participant",
    "update_reportee",
]
