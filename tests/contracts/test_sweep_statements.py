"""The sweep applies a page of changed documents with a bounded number of SQL statements.

The documents are what ``GET /documents`` returns (``esign.types.Document``), built here at the
network edge; the sweep over real HTTP to the sandbox is tested in test_sync.py.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts import services
from contracts.models import Contract, Signer, SigningRequest
from core.models import AuditEvent
from esign.types import Document, DocumentStatus, Participant, ParticipantStatus

pytestmark = pytest.mark.django_db


def in_flight(case, n: int) -> list[SigningRequest]:
    requests_ = []
    for i in range(n):
        contract = Contract.objects.create(
            case=case, title=f"{case.title} {i}", amount=11_000_000, status="signing"
        )
        request_ = SigningRequest.objects.create(
            contract=contract,
            document_id=str(uuid.uuid4()),
            status="waiting",
            sent_at=timezone.now() - dt.timedelta(days=1),
        )
        for order, role in ((1, "contractor"), (2, "city")):
            Signer.objects.create(
                signing_request=request_,
                order=order,
                role=role,
                name="足利 太郎" if order == 1 else "足利市長",
                email=f"{role}-{request_.pk}@example.jp",
                remote_id=f"{request_.pk}-{order}",
                state="waiting" if order == 1 else "pending",
            )
        requests_.append(request_)
    return requests_


def remote(request_: SigningRequest, outcome: str) -> Document:
    """What CloudSign lists for the request: the contractor agreed, or everyone (concluded), or
    the contractor rejected."""
    at = timezone.now()
    first, second = {
        "agreed": (ParticipantStatus.CONFIRMED, ParticipantStatus.WAITING),
        "concluded": (ParticipantStatus.CONFIRMED, ParticipantStatus.CONFIRMED),
        "rejected": (ParticipantStatus.REJECTED, ParticipantStatus.QUEUED),
    }[outcome]
    status = {
        "agreed": DocumentStatus.WAITING,
        "concluded": DocumentStatus.CONCLUDED,
        "rejected": DocumentStatus.CANCELED,
    }[outcome]
    signers = list(request_.signers.order_by("order"))
    return Document(
        id=request_.document_id,
        title=request_.contract.title,
        status=status,
        last_processed_at=at,
        decline_comment="工期が違います" if outcome == "rejected" else "",
        participants=tuple(
            Participant(
                id=s.remote_id,
                email=s.email,
                name=s.name,
                organization="",
                order=s.order,
                status=st,
                processed_at=at,
                access_expires_at=at + dt.timedelta(days=10),
            )
            for s, st in zip(signers, (first, second), strict=True)
        ),
    )


OUTCOMES = ("agreed", "concluded", "rejected")


def page_of(requests_: list[SigningRequest]) -> list[Document]:
    return [remote(r, OUTCOMES[i % 3]) for i, r in enumerate(requests_)]


def statements(documents: list[Document], *, applied: int | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        done = services.signing_requests_apply_remote_states(documents=documents)
    ours = len([d for d in documents if not d.id.startswith("not-ours")])
    assert done == (ours if applied is None else applied)
    return len(queries)


def test_a_page_costs_the_same_statements_for_3_or_30_documents(case):
    few = statements(page_of(in_flight(case, 3)))
    many = statements(page_of(in_flight(case, 30)))
    # (8 of them keep the contractors' next actions: cases.CaseNextAction, one batch)
    assert many == few <= 16


def test_each_outcome_is_applied_as_one_by_one_would(case):
    requests_ = in_flight(case, 6)
    documents = page_of(requests_)
    documents.append(Document(id="not-ours-1", title="他の書類", status=DocumentStatus.CONCLUDED))
    statements(documents)
    for i, request_ in enumerate(requests_):
        request_.refresh_from_db()
        contract = request_.contract
        contract.refresh_from_db()
        contractor, city = request_.signers.order_by("order")
        outcome = OUTCOMES[i % 3]
        if outcome == "agreed":
            assert request_.status == "waiting" and contract.status == "signing"
            assert contractor.state == "agreed" and contractor.agreed_at is not None
            assert city.state == "waiting"
        elif outcome == "concluded":
            assert request_.status == "concluded" and request_.concluded_at is not None
            assert contractor.state == city.state == "agreed"
        else:
            assert request_.status == "rejected" and contract.status == "rejected"
            assert request_.decline_comment == "工期が違います"
            assert contractor.state == "rejected" and city.state == "pending"
        assert request_.last_synced_at is not None
        assert contractor.link_expires_at is not None
    events = AuditEvent.objects.filter(action__startswith="signing_request.")
    assert sorted(events.values_list("action", flat=True)) == [
        "signing_request.concluded",
        "signing_request.concluded",
        "signing_request.rejected",
        "signing_request.rejected",
    ]
    assert set(events.values_list("actor_label", flat=True)) == {"system"}


def test_applying_the_same_page_again_changes_nothing(case):
    requests_ = in_flight(case, 6)
    documents = page_of(requests_)
    statements(documents)
    before_events = AuditEvent.objects.count()
    before = {
        s.pk: (s.state, s.agreed_at, s.rejected_at)
        for s in Signer.objects.filter(signing_request__in=requests_)
    }
    # a rejected request is no longer followed; the waiting and concluded ones are re-applied
    statements(documents, applied=4)
    assert AuditEvent.objects.count() == before_events
    after = {
        s.pk: (s.state, s.agreed_at, s.rejected_at)
        for s in Signer.objects.filter(signing_request__in=requests_)
    }
    assert after == before


def test_the_one_document_service_still_applies_alone(case):
    (request_,) = in_flight(case, 1)
    result = services.signing_request_apply_remote_state(
        signing_request=request_, document=remote(request_, "concluded")
    )
    assert result.status == "concluded"
    assert set(result.signers.values_list("state", flat=True)) == {"agreed"}
