"""The participants (宛先) and reportees (共有先) of a document."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, Q
from django.http import HttpRequest, JsonResponse, QueryDict

from esign_sandbox import engine
from esign_sandbox.api import limits
from esign_sandbox.api.common import (
    LANGUAGES,
    changed,
    checked_email,
    checked_text,
    doc_response,
    form_of,
    go_bool,
    require_draft,
    wraps_doc,
)
from esign_sandbox.engine import SandboxError
from esign_sandbox.models import (
    Document,
    Participant,
    PStatus,
    Reportee,
)


def _participant_fields(form: QueryDict, *, partial: bool) -> dict:
    fields = {}
    if not partial or "name" in form:
        fields["name"] = checked_text(form, "name", max_len=64, required=True)
    if not partial or "email" in form:
        fields["email"] = checked_email(form.get("email"))
    if "organization" in form:
        fields["organization"] = checked_text(form, "organization", max_len=64)
    if "access_code" in form:
        fields["access_code"] = checked_text(form, "access_code", max_len=64)
    if "language_code" in form:
        if form["language_code"] not in LANGUAGES:
            raise SandboxError(400, "bad_request", "invalid language_code")
        fields["language_code"] = form["language_code"]
    if go_bool(form, "callback", False) or go_bool(form, "advanced_authn_request", False):
        raise SandboxError(400, "bad_request", "forbidden to callback")
    return fields


def _email_taken(doc: Document, email: str, *, exclude_participant: str | None = None) -> bool:
    people = doc.participants.filter(email__iexact=email)
    if exclude_participant:
        people = people.exclude(pk=exclude_participant)
    return people.exists() or doc.reportees.filter(email__iexact=email).exists()


@wraps_doc
def add_participant(request: HttpRequest, doc: Document) -> JsonResponse:
    form = form_of(request)
    require_draft(doc)
    fields = _participant_fields(form, partial=False)
    with transaction.atomic():
        doc = Document.objects.select_for_update().select_related("account").get(pk=doc.pk)
        if doc.participants.filter(order__gt=0).count() >= limits.MAX_RECIPIENTS:
            raise SandboxError(409, "conflict", "128 recipients already on the document")
        if _email_taken(doc, fields["email"]):
            raise SandboxError(400, "bad_request", "email already on the document")
        last = doc.participants.aggregate(n=Max("order"))["n"] or 0
        Participant.objects.create(document=doc, order=last + 1, status=PStatus.DRAFT, **fields)
        engine.touch(doc)
        doc.save()
    return doc_response(doc)


@wraps_doc
def update_participant(request: HttpRequest, doc: Document, participant_id: str) -> JsonResponse:
    participant = doc.participants.get(pk=participant_id)
    form = form_of(request)
    require_draft(doc)
    if participant.order == 0:
        raise SandboxError(403, "forbidden", "the sender cannot be changed")
    fields = _participant_fields(form, partial=True)
    if "email" in fields and _email_taken(doc, fields["email"], exclude_participant=participant.pk):
        raise SandboxError(400, "bad_request", "email already on the document")
    for key, value in fields.items():
        setattr(participant, key, value)
    participant.save()
    return changed(doc)


@wraps_doc
def remove_participant(request: HttpRequest, doc: Document, participant_id: str) -> JsonResponse:
    participant = doc.participants.get(pk=participant_id)
    require_draft(doc)
    if participant.order == 0:
        raise SandboxError(403, "forbidden", "the sender cannot be removed")
    with transaction.atomic():
        order = participant.order
        participant.delete()
        for later in doc.participants.filter(order__gt=order).order_by("order"):
            later.order -= 1
            later.save(update_fields=["order"])
        engine.touch(doc)
        doc.save()
    return doc_response(doc)


def _reportee_fields(form: QueryDict, *, partial: bool) -> dict:
    fields = {}
    if not partial or "email" in form:
        fields["email"] = checked_email(form.get("email"))
    if not partial or "name" in form:
        fields["name"] = checked_text(form, "name", max_len=64, required=True)
    if "organization" in form:
        fields["organization"] = checked_text(form, "organization", max_len=64)
    return fields


@wraps_doc
def add_reportee(request: HttpRequest, doc: Document) -> JsonResponse:
    form = form_of(request)
    require_draft(doc)
    fields = _reportee_fields(form, partial=False)
    if _email_taken(doc, fields["email"]):
        raise SandboxError(400, "bad_request", "email already a participant or reportee")
    count = doc.reportees.count()
    Reportee.objects.create(document=doc, created=count + 1, **fields)
    return changed(doc)


@wraps_doc
def update_reportee(request: HttpRequest, doc: Document, reportee_id: str) -> JsonResponse:
    reportee = doc.reportees.get(pk=reportee_id)
    require_draft(doc)
    fields = _reportee_fields(form_of(request), partial=True)
    if "email" in fields and (
        doc.participants.filter(email__iexact=fields["email"]).exists()
        or doc.reportees.filter(Q(email__iexact=fields["email"]) & ~Q(pk=reportee.pk)).exists()
    ):
        raise SandboxError(400, "bad_request", "email already a participant or reportee")
    for key, value in fields.items():
        setattr(reportee, key, value)
    reportee.save()
    return changed(doc)


@wraps_doc
def remove_reportee(request: HttpRequest, doc: Document, reportee_id: str) -> JsonResponse:
    doc.reportees.get(pk=reportee_id)
    require_draft(doc)
    doc.reportees.filter(pk=reportee_id).delete()
    return changed(doc)
