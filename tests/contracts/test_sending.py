"""Sending over real HTTP to the live sandbox: through a real Celery worker, under faults."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from ashikaga_portal.celery import app as celery_app
from contracts import selectors, services
from contracts.models import SigningRequest
from contracts.services import sending
from esign.errors import TransientError
from esign_sandbox import testing
from esign_sandbox.models import Document, Participant, Reportee

pytestmark = pytest.mark.django_db(transaction=True)
TITLE = "R7-T-{n} 市道{n}号線道路改良工事"


def remote_of(signing_request):
    signing_request.refresh_from_db()
    return Document.objects.get(pk=signing_request.document_id)


def assert_exactly_one_complete_document(signing_request):
    contract = signing_request.contract
    title = f"{contract.case.number} {contract.title}"
    docs = Document.objects.filter(title=title)
    assert docs.count() == 1, [d.id for d in docs]
    doc = docs.get()
    assert doc.pk == signing_request.document_id
    assert doc.status == 1
    assert list(doc.files.values_list("name", flat=True)) == [
        "建設工事請負契約書.pdf",
        "契約約款.pdf",
    ]
    recipients = list(
        Participant.objects.filter(document=doc, order__gt=0).values_list("order", "email")
    )
    assert recipients == [(1, "yamada@ashikaga-test.example"), (2, "shicho@city.ashikaga.example")]
    assert list(Reportee.objects.filter(document=doc).values_list("email", flat=True)) == [
        "sato@ashikaga-test.example"
    ]
    return doc


@pytest.mark.slow
def test_send_through_a_real_worker(ready_contract, section_staff, use_sandbox):
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        signing_request = services.contract_send_for_signature(
            contract=ready_contract, user=section_staff
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            signing_request.refresh_from_db()
            if signing_request.status not in ("queued", "sending"):
                break
            time.sleep(0.2)
    assert signing_request.status == "waiting", signing_request.last_error_message
    doc = assert_exactly_one_complete_document(signing_request)
    company, marker = doc.note.splitlines()
    assert company == ready_contract.case.awarded_company.name
    assert marker == sending.document_marker(signing_request)
    assert "足利市です。" in doc.message
    signers = list(signing_request.signers.values_list("order", "state"))
    assert signers == [(1, "waiting"), (2, "pending")]
    assert any(
        m.to == ["yamada@ashikaga-test.example"] and "確認依頼" in m.subject for m in mail.outbox
    )
    ready_contract.refresh_from_db()
    assert ready_contract.status == "signing"


STEPS = [
    ("POST", r"^/documents$"),  # create
    ("POST", r"^/documents/[^/]+/files$"),  # upload (first file)
    ("POST", r"^/documents/[^/]+/participants$"),  # first recipient
    ("POST", r"^/documents/[^/]+/reportees$"),  # 共有先
    ("POST", r"^/documents/[^/]+$"),  # send
]


def push_until_done(signing_request, *, limit=10):
    for _ in range(limit):
        try:
            result = services.signing_request_push(request_id=signing_request.pk)
        except TransientError:
            continue
        if result is not None:
            return result
    raise AssertionError("never finished")


@pytest.mark.parametrize("kind", ["504", "500", "429"])
@pytest.mark.parametrize(
    ("method", "path"), STEPS, ids=["create", "file", "participant", "reportee", "send"]
)
def test_a_failure_at_any_step_ends_with_one_document(
    ready_contract, section_staff, use_sandbox, kind, method, path
):
    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    testing.inject(kind, method=method, path_regex=path, remaining=1)
    result = push_until_done(signing_request)
    assert result.status == "waiting"
    assert_exactly_one_complete_document(result)
    assert result.attempts == 2
    assert result.remote_files.count() == 2


def test_a_failure_after_each_step_in_turn_in_one_send(ready_contract, section_staff, use_sandbox):
    """504-after-commit on every write of the flow, one after the other."""
    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    for method, path in STEPS:
        testing.inject("504", method=method, path_regex=path, remaining=1)
    testing.inject("504", method="POST", path_regex=r"^/documents/[^/]+/files$", remaining=1)
    result = push_until_done(signing_request, limit=12)
    assert_exactly_one_complete_document(result)


def test_permanent_error_marks_the_request_failed_and_retry_resumes(
    ready_contract,
    section_staff,
    use_sandbox,
    signer_department,
    django_capture_on_commit_callbacks,
):
    signer_department.signer_email = "shicho@nowhere.invalid"  # the service refuses the domain
    signer_department.save()
    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    ready_contract.refresh_from_db()
    sent_at = ready_contract.updated_at
    result = services.signing_request_push(request_id=signing_request.pk)
    assert result.status == "failed"
    result.refresh_from_db()
    assert result.last_error_code == "400 bad_request"
    assert "email domain does not exist" in result.last_error_message
    ready_contract.refresh_from_db()
    assert ready_contract.status == "preparing"
    assert ready_contract.updated_at > sent_at  # the status change is dated
    # Staff fix the address on the signer and retry: the same document carries on.
    result.signers.filter(role="city").update(email="shicho@city.ashikaga.example")
    services.signing_request_retry(signing_request=result, user=section_staff)
    done = services.signing_request_push(request_id=signing_request.pk)
    assert done.status == "waiting"
    assert_exactly_one_complete_document(done)


@pytest.mark.parametrize("kind", ["participant", "reportee"])
def test_a_dead_workers_add_that_lands_after_our_read_is_adopted(
    ready_contract, section_staff, use_sandbox, kind
):
    """A worker killed mid-request: its POST still reaches CloudSign, after the next worker read
    the document and before that worker adds the same person. The service answers 400 (the
    address is already on the document); the send adopts that person instead of failing."""
    from esign.factory import get_client

    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    client = get_client()
    add = getattr(client, f"add_{kind}")
    landed = []

    def add_after_the_dead_workers_request(document_id, **person):
        if not landed:  # the dead worker's identical request reaches the service first
            landed.append(add(document_id, **person))
        return add(document_id, **person)

    setattr(client, f"add_{kind}", add_after_the_dead_workers_request)
    result = services.signing_request_push(request_id=signing_request.pk, client=client)
    assert landed, "the race was not staged"
    assert result.status == "waiting", result.last_error_message
    doc = assert_exactly_one_complete_document(result)  # nobody twice
    if kind == "participant":
        remote = Participant.objects.get(document=doc, order=1)
        assert result.signers.get(order=1).remote_id == remote.pk
    else:
        assert result.reportees.get().remote_id == Reportee.objects.get(document=doc).pk


def test_two_workers_never_push_the_same_request(ready_contract, section_staff, use_sandbox):
    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    assert services._claim(signing_request.pk) is True
    with pytest.raises(services.ClaimHeld) as exc_info:  # claimed: the task retries later
        services.signing_request_push(request_id=signing_request.pk)
    assert 0 < exc_info.value.retry_after <= 300
    SigningRequest.objects.filter(pk=signing_request.pk).update(claimed_until=None)
    assert services.signing_request_push(request_id=signing_request.pk).status == "waiting"


def test_remind_cancel_and_resend(ready_contract, section_staff, use_sandbox):
    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    signing_request = services.signing_request_push(request_id=signing_request.pk)
    old_link = testing.current_link(signing_request.document_id)
    services.signing_request_remind(signing_request=signing_request, user=section_staff)
    assert testing.current_link(signing_request.document_id) != old_link
    assert signing_request.signers.get(order=1).reminders_sent == 1

    with pytest.raises(services.ContractError) as exc_info:
        services.contract_cancel(contract=ready_contract, user=section_staff, comment=" ")
    assert exc_info.value.message == "取消の理由を入力してください。"
    services.contract_cancel(contract=ready_contract, user=section_staff, comment="金額訂正のため")
    ready_contract.refresh_from_db()
    signing_request.refresh_from_db()
    assert ready_contract.status == "canceled" and signing_request.status == "canceled"
    assert remote_of(signing_request).decline_comment == "金額訂正のため"

    again = services.contract_send_for_signature(contract=ready_contract, user=section_staff)
    assert again.pk != signing_request.pk
    services.signing_request_push(request_id=again.pk)
    again.refresh_from_db()
    assert again.status == "waiting" and again.document_id != signing_request.document_id


def test_rejection_by_the_contractor_is_applied(ready_contract, section_staff, use_sandbox):
    from esign.factory import get_client

    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    signing_request = services.signing_request_push(request_id=signing_request.pk)
    testing.reject(signing_request.document_id, "工期が違います")
    doc = get_client().get_document(signing_request.document_id)
    services.signing_request_apply_remote_state(signing_request=signing_request, document=doc)
    signing_request.refresh_from_db()
    ready_contract.refresh_from_db()
    assert signing_request.status == "rejected" and ready_contract.status == "rejected"
    assert signing_request.decline_comment == "工期が違います"
    assert signing_request.signers.get(order=1).state == "rejected"
    # applying the same state again changes nothing and records no second event
    from core.models import AuditEvent

    before = AuditEvent.objects.count()
    services.signing_request_apply_remote_state(signing_request=signing_request, document=doc)
    assert AuditEvent.objects.count() == before
    # sent again only after a new PDF or a recorded decision (tests/contracts/test_rejection_path)
    assert [p for p in selectors.gate_problems(ready_contract) if "却下" not in p] == []


def test_504_on_create_finds_its_draft_by_marker_whatever_the_clocks(
    ready_contract, section_staff, use_sandbox
):
    """The draft made behind a 504 is found by the marker in its note, even when the portal's
    clock is an hour ahead of the service's; a look-alike draft without the marker is left."""
    from datetime import timedelta

    from esign.factory import get_client

    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    title = f"{ready_contract.case.number} {ready_contract.title}"
    look_alike = get_client().create_document(
        title=title, note=ready_contract.case.awarded_company.name
    )
    testing.inject("504", method="POST", path_regex=r"^/documents$", remaining=1)
    with pytest.raises(TransientError):
        services.signing_request_push(request_id=signing_request.pk)
    signing_request.refresh_from_db()
    assert signing_request.document_id is None
    SigningRequest.objects.filter(pk=signing_request.pk).update(
        create_attempted_at=signing_request.create_attempted_at + timedelta(hours=1)
    )
    result = push_until_done(signing_request)
    assert result.status == "waiting"
    assert result.document_id != look_alike.id
    marker = sending.document_marker(result)
    assert marker in Document.objects.get(pk=result.document_id).note
    assert Document.objects.filter(title=title).count() == 2  # ours (sent) + the look-alike draft
    assert Document.objects.get(pk=look_alike.id).status == 0


def test_markers_differ_per_request_and_installation(ready_contract, section_staff, settings):
    first = services.contract_send_for_signature(contract=ready_contract, user=section_staff)
    marker = sending.document_marker(first)
    assert marker.startswith(f"ポータル参照番号 {first.pk}-")
    settings.SECRET_KEY = "another-installation-" + "x" * 40
    assert sending.document_marker(first) != marker
