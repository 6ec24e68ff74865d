"""POST/GET /token and GET /me."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from esign_sandbox.api import limits
from esign_sandbox.api.common import (
    DEMO_CLIENT_ID,
    error,
)
from esign_sandbox.models import (
    AccessToken,
    Account,
)


def token(request: HttpRequest) -> JsonResponse:
    form = request.POST if request.method == "POST" else request.GET
    client_id = (form.get("client_id") or "").strip()
    if not client_id:
        return error(400, "invalid_request", "client_id is required")
    account = Account.objects.filter(client_id=client_id).first()
    if account is None and client_id == DEMO_CLIENT_ID:
        account, _ = Account.objects.get_or_create(client_id=DEMO_CLIENT_ID)
    if account is None:
        return error(400, "invalid_client", "unknown client_id")
    now = timezone.now()
    with transaction.atomic():
        current = (
            AccessToken.objects.select_for_update()
            .filter(account=account, expires_at__gt=now)
            .order_by("-expires_at")
            .first()
        )
        if current is None:  # the same token is returned until it expires
            current = AccessToken.objects.create(
                token=str(uuid.uuid4()),
                account=account,
                expires_at=now + dt.timedelta(seconds=limits.TOKEN_SECONDS),
            )
    remaining = int((current.expires_at - now).total_seconds())
    return JsonResponse(
        {"access_token": current.token, "expires_in": remaining, "token_type": "Bearer"}
    )


def me(request: HttpRequest, account: Account) -> JsonResponse:
    return JsonResponse(
        {
            "id": account.user_id,
            "email": account.email,
            "name": account.name,
            "organization": account.organization,
            "team": {"id": account.team_id, "name": account.team_name},
            "authorities": {
                "team_administrator": True,
                "team_document_administrator": True,
                "document_approver": False,
                "private_document_administrator": False,
            },
        }
    )
