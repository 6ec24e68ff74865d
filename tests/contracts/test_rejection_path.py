"""Issue 23: the 却下 path (reason on the 契約 page, the work-queue box, no resend of the same
PDF without a recorded decision, the contractor sees the state), send from the 契約 page, and the
send page that follows the request until it is at the service."""

import pytest
from django.urls import reverse

from contracts import selectors, services
from contracts.models import Contract, SigningRequest
from core.models import AuditEvent
from esign_sandbox import testing
from portal.queue import work_queue
from tests.pdfs import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def rejected(ready_contract, section_staff, use_sandbox):
    from esign.factory import get_client

    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    signing_request = services.signing_request_push(request_id=signing_request.pk)
    testing.reject(signing_request.document_id, "工期の終期が誤っています。")
    doc = get_client().get_document(signing_request.document_id)
    services.signing_request_apply_remote_state(signing_request=signing_request, document=doc)
    ready_contract.refresh_from_db()
    assert ready_contract.status == "rejected"
    return ready_contract


def _box(user, key):
    return next(b for b in work_queue(user) if b.key == key)


def test_a_rejected_contract_waits_in_its_own_box_with_reason_and_date(rejected, section_staff):
    box = _box(section_staff, "rejected")
    assert box.title == "却下された契約" and box.count == 1
    assert "工期の終期が誤っています。" in box.items[0].note
    assert box.items[0].note.startswith("却下 令和")
    # not offered for sending: no resend of the same PDF by a click
    assert _box(section_staff, "ready").count == 0
    assert not selectors.ready_to_send(Contract.objects.all()).exists()
    assert any("却下された契約です" in p for p in selectors.gate_problems(rejected))


def test_the_contract_page_shows_the_reason_and_what_to_do(client, rejected, section_staff):
    client.force_login(section_staff)
    page = client.get(reverse("admin:contracts_contract_change", args=[rejected.pk]))
    text = page.content.decode()
    assert "工期の終期が誤っています。" in text
    assert 'id="rejection"' in text and 'id="resend-as-is"' in text
    assert "却下された契約です" in text  # in the gate's list of what is missing


def test_resend_as_is_needs_a_reason(client, rejected, section_staff):
    client.force_login(section_staff)
    url = reverse("admin:contracts_contract_resend_as_is", args=[rejected.pk])
    page = client.post(url, {"reason": "  "}, follow=True)
    assert "そのまま再送信する理由を入力してください" in page.content.decode()
    rejected.refresh_from_db()
    assert rejected.resend_as_is_at is None
    assert not AuditEvent.objects.filter(action="contract.resend_as_is").exists()
    assert selectors.rejection_unresolved(rejected)

    page = client.post(url, {"reason": "事業者が誤って却下したと電話で確認したため"}, follow=True)
    assert "そのまま再送信する判断を記録しました。" in page.content.decode()
    rejected.refresh_from_db()
    assert rejected.resend_as_is_reason == "事業者が誤って却下したと電話で確認したため"
    assert AuditEvent.objects.filter(action="contract.resend_as_is").count() == 1
    assert selectors.gate_problems(rejected) == []
    assert _box(section_staff, "rejected").count == 0
    assert _box(section_staff, "ready").count == 1


def test_a_new_pdf_also_allows_the_resend(rejected, section_staff):
    services.contract_add_file(
        contract=rejected, user=section_staff, upload=pdf_upload("契約書_訂正.pdf", pages=4)
    )
    assert selectors.gate_problems(rejected) == []
    assert _box(section_staff, "rejected").count == 0


def test_a_sent_pdf_cannot_be_taken_off_with_a_clear_message(rejected, section_staff):
    """Before: the admin's delete of a sent file was a 500 (the file is protected)."""
    contract_file = rejected.files.first()
    with pytest.raises(services.ContractError) as exc_info:
        services.contract_remove_file(contract_file=contract_file, user=section_staff)
    assert "送信済みのため外せません" in exc_info.value.message
    assert rejected.files.filter(pk=contract_file.pk).exists()


def test_the_contractor_sees_the_rejection(client, rejected, contractor):
    client.force_login(contractor)
    page = client.get(reverse("home")).content.decode()
    assert "却下（市で確認中）" in page


def test_the_contract_page_links_to_the_send_page(client, ready_contract, section_staff):
    client.force_login(section_staff)
    text = client.get(
        reverse("admin:contracts_contract_change", args=[ready_contract.pk])
    ).content.decode()
    send_url = reverse("admin:contracts_contract_send", args=[ready_contract.pk])
    assert 'id="to-send"' in text and send_url in text
    assert "送信前の確認へ進む" in text


def test_the_contract_page_says_what_is_missing(client, case, section_staff, signer_department):
    contract = services.contract_create(case=case, user=section_staff)
    client.force_login(section_staff)
    text = client.get(
        reverse("admin:contracts_contract_change", args=[contract.pk])
    ).content.decode()
    assert 'id="to-send"' not in text
    assert "送信するには次の点を解決してください。" in text
    assert "署名するPDFがありません" in text


def test_the_send_page_refreshes_itself_until_the_document_is_at_the_service(
    client, ready_contract, section_staff, use_sandbox
):
    client.force_login(section_staff)
    url = reverse("admin:contracts_contract_send", args=[ready_contract.pk])
    page = client.post(url, follow=True)
    assert page.redirect_chain[-1][0] == url  # back to the send page, which follows it
    text = page.content.decode()
    assert '<meta http-equiv="refresh"' in text
    assert 'data-status="queued"' in text and "自動で更新されます" in text
    signing_request = SigningRequest.objects.get(contract=ready_contract)
    services.signing_request_push(request_id=signing_request.pk)
    text = client.get(url).content.decode()
    assert '<meta http-equiv="refresh"' not in text
    assert 'data-status="waiting"' in text


def test_a_failed_send_stops_the_refresh(client, ready_contract, section_staff):
    signing_request = services.contract_send_for_signature(
        contract=ready_contract, user=section_staff
    )
    SigningRequest.objects.filter(pk=signing_request.pk).update(
        status="failed", last_error_message="宛先のメールアドレスが不正です。"
    )
    client.force_login(section_staff)
    text = client.get(
        reverse("admin:contracts_contract_send", args=[ready_contract.pk])
    ).content.decode()
    assert '<meta http-equiv="refresh"' not in text
    assert "送信に失敗しました。" in text and "宛先のメールアドレスが不正です。" in text


def test_the_nature_is_not_editable_while_signing(client, ready_contract, section_staff):
    services.contract_send_for_signature(contract=ready_contract, user=section_staff)
    client.force_login(section_staff)
    url = reverse("admin:contracts_contract_change", args=[ready_contract.pk])
    text = client.get(url).content.decode()
    assert 'name="stamp_nature"' not in text
    # item 6: the files table has no upload column any more (it showed 「UPLOAD」 and 「None」)
    assert "Upload" not in text and "-upload" not in text
