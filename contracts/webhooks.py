"""The CloudSign webhook: /hooks/cloudsign/<secret>/. Never trusted for state: it only records
the call and asks for an immediate re-read of that document."""

from __future__ import annotations

import json
import logging
import re

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from contracts import wakeups
from contracts.models import SigningRequest, WebhookReceipt
from core.net import client_ip, in_networks, parse_ip
from core.ratelimit import limited

logger = logging.getLogger(__name__)
DOCUMENT_ID = re.compile(r"^[0-9A-Za-z-]{32,36}$")


def _allowed(address: str | None) -> bool:
    networks = settings.CLOUDSIGN_WEBHOOK_ALLOWED_IPS
    if not networks:
        return True
    return in_networks(parse_ip(address), networks)


# CloudSign's document statuses are small numbers (0 下書き … 4); anything else is not a status.
MAX_STATUS = 99


def _bad(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def cloudsign_webhook(request: HttpRequest, secret: str) -> JsonResponse:
    expected = settings.CLOUDSIGN_WEBHOOK_SECRET
    if not expected or not constant_time_compare(secret, expected):
        raise Http404
    address = client_ip(request)  # behind nginx: per TRUSTED_PROXY_HOPS / TRUSTED_PROXIES
    if limited(request, "webhook"):
        return _bad(429, "too many requests")
    if not _allowed(address):
        logger.warning("webhook from %s refused (not in the allow-list)", address)
        return _bad(403, "forbidden")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.WEBHOOK_MAX_BYTES:
        return _bad(413, "body too large")
    raw = request.read(settings.WEBHOOK_MAX_BYTES + 1)
    if len(raw) > settings.WEBHOOK_MAX_BYTES:
        return _bad(413, "body too large")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _bad(400, "not JSON")
    if not isinstance(body, dict):
        return _bad(400, "not a JSON object")
    document_id, status = body.get("documentID"), body.get("status")
    text = body.get("text", "")
    if (
        not isinstance(document_id, str)
        or not DOCUMENT_ID.match(document_id)
        or isinstance(status, bool)
        or not isinstance(status, int)
        or not 0 <= status <= MAX_STATUS
        or not isinstance(text, str)
    ):
        return _bad(400, "invalid fields")
    signing_request = SigningRequest.objects.filter(document_id=document_id).first()
    if signing_request is None:
        return JsonResponse({"ok": True, "ignored": True})
    with transaction.atomic():
        WebhookReceipt.objects.create(
            document_id=document_id,
            status=status,
            text=text[:1000],
            remote_addr=address,
            signing_request=signing_request,
        )
        wakeups.wake(wakeups.REFRESH_SIGNING_REQUEST, signing_request.pk)
    return JsonResponse({"ok": True})
