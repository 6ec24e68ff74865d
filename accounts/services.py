"""Account workflows: invitations and their acceptance."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User, hash_token
from accounts.usernames import canonical_username
from core import audit
from core.errors import DomainError
from core.mail import send_mail_on_commit


class InvitationError(DomainError):
    """An invitation that cannot be used, with a Japanese message for the person."""


@transaction.atomic
def invitation_issue(
    *, invitation: Invitation, invited_by: User, request: HttpRequest | None = None
) -> str:
    """Save a new invitation (email, company, name set) and mail its single-use link.

    Returns the raw token (shown nowhere else; only its hash is stored).
    """
    token = Invitation.new_token()
    invitation.email = canonical_username(invitation.email)
    invitation.token_hash = hash_token(token)
    invitation.invited_by = invited_by
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.save()
    audit.record(
        "invitation.issued",
        actor=invited_by,
        target=invitation,
        request=request,
        payload={"email": invitation.email, "company_id": invitation.company_id},
    )
    link = settings.SITE_URL + reverse("accounts:invitation_accept", args=[token])
    send_mail_on_commit(
        "invitation",
        {"invitation": invitation, "link": link, "days": settings.INVITATION_VALID_DAYS},
        [invitation.email],
    )
    return token


def invitation_lookup(token: str) -> Invitation:
    """The usable invitation for ``token``, or InvitationError saying why not."""
    invitation = (
        Invitation.objects.select_related("company").filter(token_hash=hash_token(token)).first()
    )
    if invitation is None:
        raise InvitationError("この招待リンクは無効です。", code="unknown")
    if invitation.is_used:
        raise InvitationError(
            "この招待リンクは既に使用されています。ログイン画面からログインしてください。",
            code="used",
        )
    if invitation.is_expired:
        raise InvitationError(
            "この招待リンクは有効期限が切れています。市の担当者に再度の招待を依頼してください。",
            code="expired",
        )
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, name: str, password: str, request: HttpRequest | None = None
) -> User:
    """Create the contractor user of an invitation. The link works once."""
    invitation = invitation_lookup(token)
    now = timezone.now()
    # Claim the invitation with a conditional UPDATE: of two concurrent acceptances one wins.
    claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=now
    )
    if claimed != 1:
        raise InvitationError("この招待リンクは既に使用されています。", code="used")
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(
            "このメールアドレスの利用者は既に登録されています。ログインしてください。",
            code="exists",
        )
    user = User.objects.create_user(
        email=invitation.email, password=password, name=name, company=invitation.company
    )
    Invitation.objects.filter(pk=invitation.pk).update(accepted_user=user)
    audit.record(
        "invitation.accepted",
        actor=user,
        target=invitation,
        request=request,
        payload={"user_id": user.pk, "company_id": invitation.company_id},
    )
    return user


@transaction.atomic
def invitations_purge_expired(*, older_than_days: int) -> int:
    """Delete unused invitations that expired more than ``older_than_days`` ago."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=cutoff).delete()
    if deleted:
        audit.record("invitation.purged", payload={"count": deleted})
    return deleted
