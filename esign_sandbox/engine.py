"""What the sandbox does: the life of a document, recipients' actions, mails and webhooks.

The API views and the signing pages call these functions; tests drive recipients through
``esign_sandbox.testing``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from esign_sandbox.models import (
    DocStatus,
    Document,
    Participant,
    PStatus,
    WebhookDelivery,
    WebhookEndpoint,
)

WEB_UI = "https://www.cloudsign.jp/document/{id}/summary"


class SandboxError(Exception):
    """A refusal with the specification's HTTP status and error code."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


# The specification: for these statuses last_processed_at is the latest participant
# processed_at (the last agreement or rejection); otherwise the document's last update.
PROCESSED_STATUSES = (DocStatus.WAITING, DocStatus.CONCLUDED, DocStatus.CANCELED, 13)


def last_processed(doc: Document):
    if doc.status in PROCESSED_STATUSES:
        return doc.participants.aggregate(latest=Max("processed_at"))["latest"]
    return doc.updated_at


def touch(doc: Document) -> None:
    doc.updated_at = timezone.now()
    doc.last_processed_at = last_processed(doc)


def link_for(participant: Participant) -> str:
    return settings.SITE_URL + reverse("esign_sandbox:sign", args=[participant.link_token])


def issue_link(participant: Participant) -> None:
    participant.status = PStatus.WAITING
    participant.link_token = secrets.token_urlsafe(24)
    participant.access_expires_at = timezone.now() + dt.timedelta(
        days=settings.ESIGN_SANDBOX_LINK_DAYS
    )
    participant.save()


def sender_of(doc: Document) -> Participant:
    return doc.participants.get(order=0)


def recipients(doc: Document) -> list[Participant]:
    return list(doc.participants.filter(order__gt=0).order_by("order"))


def current_recipient(doc: Document) -> Participant | None:
    return doc.participants.filter(order__gt=0, status=PStatus.WAITING).first()


def _mail(template: str, context: dict, to: list[str], attachments=()) -> None:
    text = render_to_string(f"esign_sandbox/mail/{template}.txt", context)
    subject, _, body = text.strip().partition("\n")

    def _send() -> None:
        for address in dict.fromkeys(to):  # one mail each, in order, no duplicates
            message = EmailMessage(
                subject.strip(),
                body.lstrip("\n"),
                "クラウドサイン <support@cloudsign.example>",
                [address],
            )
            for name, data in attachments:
                message.attach(name, data, "application/pdf")
            message.send()

    transaction.on_commit(_send)


def send_request_mail(doc: Document, participant: Participant, *, resend: bool = False) -> None:
    _mail(
        "request",
        {
            "doc": doc,
            "participant": participant,
            "sender": sender_of(doc),
            "link": link_for(participant),
            "resend": resend,
        },
        [participant.email],
    )


def webhook(doc: Document, kind: str, *, bounced: str = "") -> None:
    """Queue the team's Hook URLs for this event (delivered asynchronously, with retries).
    An account behaving like LGWAN sends none."""
    if doc.account.lgwan:
        return
    condition = {"COMPLETED": "on_completed", "CANCELED": "on_canceled", "BOUNCED": "on_bounced"}
    sender = sender_of(doc)
    text = f"{kind} : {doc.title} sent by {sender.name}"
    if kind == "BOUNCED":
        text += f" for {bounced}"
    text += "\n<" + WEB_UI.format(id=doc.id) + ">"
    body = json.dumps(
        {
            "documentID": doc.id,
            "status": doc.status,
            "userID": doc.account.user_id,
            "email": doc.account.email,
            "text": text,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )
    endpoints = WebhookEndpoint.objects.filter(active=True, **{condition[kind]: True})
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, body=body)
        transaction.on_commit(lambda pk=delivery.pk: _enqueue_delivery(pk))


def _enqueue_delivery(pk: int) -> None:
    from esign_sandbox.tasks import deliver_webhook

    deliver_webhook.delay(pk)


# --- sender side (API) ---------------------------------------------------------------------


@transaction.atomic
def send(doc: Document) -> None:
    """POST /documents/{id}: send a draft, or remind the current recipient of a sent one."""
    doc = Document.objects.select_for_update().get(pk=doc.pk)
    if doc.status == DocStatus.WAITING:
        participant = current_recipient(doc)
        if participant is None:
            raise SandboxError(400, "bad_request", "no recipient to remind")
        issue_link(participant)  # the old link stops working
        send_request_mail(doc, participant, resend=True)
        touch(doc)
        doc.save()
        return
    if doc.status != DocStatus.DRAFT:
        raise SandboxError(403, "not_acceptable", "document is not a draft")
    people = recipients(doc)
    if not people:
        raise SandboxError(400, "bad_request", "participants are missing")
    if not doc.files.exists():
        raise SandboxError(400, "bad_request", "files are missing")
    if doc.files.filter(widgets__participant__order=0, widgets__text="").exists():
        raise SandboxError(400, "bad_request", "a sender widget has no value")
    now = timezone.now()
    doc.status = DocStatus.WAITING
    doc.sent_at = now
    doc.updated_at = now
    # Sending is the sender's processing (CloudSign signs the sender in at this step).
    doc.participants.filter(order=0).update(status=PStatus.SENT, processed_at=now)
    doc.last_processed_at = last_processed(doc)
    doc.save()
    doc.participants.filter(order__gt=1).update(status=PStatus.QUEUED)
    sender = sender_of(doc)
    from esign_sandbox import pki  # pyHanko (~0.4 s to import) on the first signature only

    for f in doc.files.all():
        # Like CloudSign: the document ID is signed in at sending, then the sender's signature.
        data = pki.sign_step(
            bytes(f.data), field_name="CloudSign-DocumentID", reason=f"書類ID {doc.id}"
        )
        f.signed_data = pki.sign_step(
            data, field_name="CloudSign-Sender", reason="送信", name=sender.name
        )
        f.save(update_fields=["signed_data"])
    issue_link(people[0])
    send_request_mail(doc, people[0])


@transaction.atomic
def decline(doc: Document, comment: str) -> None:
    """PUT /documents/{id}/decline: the sender cancels a document awaiting the counterparty."""
    doc = Document.objects.select_for_update().get(pk=doc.pk)
    if doc.status != DocStatus.WAITING:
        raise SandboxError(400, "bad_request", "document status is not 1")
    doc.status = DocStatus.CANCELED
    doc.decline_comment = comment
    touch(doc)  # no participant processed anything: last_processed_at stays
    doc.save()
    doc.participants.filter(order__gt=0, status__in=[PStatus.WAITING, PStatus.QUEUED]).update(
        status=PStatus.CANCELED, link_token=None
    )
    webhook(doc, "CANCELED")


# --- recipient side (signing pages and test helpers) ---------------------------------------


def _lock_current(doc_id: str, participant_id: str | None = None) -> tuple[Document, Participant]:
    doc = Document.objects.select_for_update().get(pk=doc_id)
    if doc.status != DocStatus.WAITING:
        raise SandboxError(400, "bad_request", "document is not awaiting a recipient")
    current = current_recipient(doc)
    if current is None or (participant_id and current.id != participant_id):
        raise SandboxError(400, "bad_request", "it is not this recipient's turn")
    return doc, current


@transaction.atomic
def agree(doc_id: str, participant_id: str | None = None) -> Document:
    """The current recipient agrees; the next one's turn comes, or the document is concluded."""
    doc, current = _lock_current(doc_id, participant_id)
    now = timezone.now()
    current.status = PStatus.CONFIRMED
    current.processed_at = now
    current.link_token = None
    current.save()
    doc.last_processed_at = last_processed(doc)
    doc.updated_at = now
    following = doc.participants.filter(order__gt=current.order).order_by("order").first()
    _sign_agreement(doc, current, final=following is None)
    if following is not None:
        doc.save()
        issue_link(following)
        send_request_mail(doc, following)
        return doc
    doc.status = DocStatus.CONCLUDED
    doc.concluded_at = now
    doc.save()
    conclude(doc)
    return doc


def _sign_agreement(doc: Document, participant: Participant, *, final: bool) -> None:
    """The recipient's signature on every file; the last one is timestamped (PAdES-T). The
    long-term signature comes later (``add_long_term``), as at CloudSign."""
    from esign_sandbox import pki  # pyHanko on the first signature only

    for f in doc.files.all():
        f.signed_data = pki.sign_step(
            bytes(f.signed_data or f.data),
            field_name=f"CloudSign-Recipient{participant.order}",
            reason="合意",
            name=participant.name,
            final=final,
        )
        f.save(update_fields=["signed_data"])


def conclude(doc: Document) -> None:
    """Make the 合意締結証明書 (signed too), mail everyone with the signed files, fire hooks."""
    from esign_sandbox import pki  # pyHanko and reportlab on the first conclusion only
    from esign_sandbox.certificate import certificate_pdf

    attachments = [(f.name, bytes(f.signed_data)) for f in doc.files.all()]
    doc.certificate = pki.sign_pdf(certificate_pdf(doc), reason="合意締結証明書")
    doc.save(update_fields=["certificate"])
    people = list(doc.participants.all())
    to = [p.email for p in people] + [r.email for r in doc.reportees.all()]
    _mail("completed", {"doc": doc, "sender": sender_of(doc)}, to, attachments)
    webhook(doc, "COMPLETED")
    delay = settings.ESIGN_SANDBOX_LONG_TERM_DELAY_SECONDS
    transaction.on_commit(lambda: _enqueue_long_term(doc.id, delay))


def _enqueue_long_term(doc_id: str, delay: int) -> None:
    from esign_sandbox.tasks import add_long_term_signatures

    add_long_term_signatures.apply_async((doc_id,), countdown=delay)


@transaction.atomic
def reject(doc_id: str, comment: str, participant_id: str | None = None) -> Document:
    """The current recipient rejects (同意せず却下): the document becomes status 3."""
    doc, current = _lock_current(doc_id, participant_id)
    now = timezone.now()
    current.status = PStatus.REJECTED
    current.processed_at = now
    current.link_token = None
    current.save()
    doc.participants.filter(order__gt=current.order).update(status=PStatus.CANCELED)
    doc.status = DocStatus.CANCELED
    doc.decline_comment = comment
    doc.last_processed_at = last_processed(doc)
    doc.updated_at = now
    doc.save()
    _mail("rejected", {"doc": doc, "participant": current}, [sender_of(doc).email])
    webhook(doc, "CANCELED")
    return doc


@transaction.atomic
def transfer(doc_id: str, participant_id: str, *, name: str, email: str) -> Participant:
    """転送: the current recipient hands their turn to someone else, who gets a new link."""
    doc, current = _lock_current(doc_id, participant_id)
    if not doc.can_transfer:
        raise SandboxError(403, "forbidden", "transfer is not allowed for this document")
    if doc.participants.filter(email__iexact=email).exclude(pk=current.pk).exists():
        raise SandboxError(400, "bad_request", "email already on the document")
    current.name, current.email = name, email
    issue_link(current)
    send_request_mail(doc, current)
    return current


@transaction.atomic
def expire_link(doc_id: str) -> Participant:
    doc, current = _lock_current(doc_id)
    current.access_expires_at = timezone.now() - dt.timedelta(seconds=1)
    current.save(update_fields=["access_expires_at"])
    return current


@transaction.atomic
def bounce(doc_id: str, email: str | None = None) -> None:
    doc = Document.objects.get(pk=doc_id)
    if email is None:
        current = current_recipient(doc)
        email = current.email if current else sender_of(doc).email
    webhook(doc, "BOUNCED", bounced=email)
