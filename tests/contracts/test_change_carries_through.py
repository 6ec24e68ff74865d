"""変更契約 carries through to the case's current amount and 工期 (issue 16)."""

import datetime as dt

import pytest

from contracts import services, sync
from contracts.changes import case_follow_change, terms_history
from core.models import AuditEvent
from esign_sandbox import testing
from surety import services as surety
from surety.models import SuretyCertificate
from tests.pdfs import pdf_upload


def conclude(contract, user):
    """Over the real path: send to the sandbox, both sides agree, sweep, store."""
    signing_request = services.contract_send_for_signature(contract=contract, user=user)
    signing_request = services.signing_request_push(request_id=signing_request.pk)
    testing.agree_all(signing_request.document_id)
    sync.sync_signing_status()
    services.signed_documents_store(request_id=signing_request.pk)
    contract.refresh_from_db()
    assert contract.status == "concluded"
    return contract


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_concluded_change_becomes_the_cases_terms_and_the_surety_follows(
    ready_contract, section_staff, use_sandbox
):
    """Issue 16 「変更契約 carries through」: after the 変更契約 is concluded the case's 請負金額
    and 工期 are the changed ones (history kept on the contracts and in the audit); a 変更 契約保証
    for the new total verifies (契約保証 ≥ 1/10: 約款, docs/domain.md §1.6), and the 保証期限
    must reach the new end of the 工期 (docs/domain.md §1.6, S30)."""
    case = ready_contract.case
    original = conclude(ready_contract, section_staff)
    old_amount, old_end = case.amount, case.period_end
    change = services.contract_create_change(original=original, user=section_staff)
    change.amount = 57_200_000
    change.period_end = old_end + dt.timedelta(days=60)
    change.save()
    services.contract_add_file(
        contract=change, user=section_staff, upload=pdf_upload("変更契約書.pdf", pages=1)
    )
    conclude(change, section_staff)

    case.refresh_from_db()
    assert (case.amount, case.period_end) == (57_200_000, old_end + dt.timedelta(days=60))
    original.refresh_from_db()
    assert original.amount == old_amount  # the 当初契約 keeps its terms
    assert [t.amount for t in terms_history(case)] == [old_amount, 57_200_000]
    event = AuditEvent.objects.get(action="case.terms_changed")
    assert event.payload["before"]["amount"] == old_amount
    assert event.payload["after"]["amount"] == 57_200_000

    changed = SuretyCertificate.objects.create(
        case=case,
        product="performance",
        form="electronic",
        guarantee_number="31072-0002K",
        auth_key="Q7mD2xKp9LwA",
        beneficiary="足利市長",
        certificate_construction_name=case.title,
    )
    with pytest.raises(surety.SuretyError) as exc_info:  # still ending with the old 工期
        surety.surety_verify(
            certificate=changed,
            user=section_staff,
            amount=5_720_000,
            expires_on=old_end,
            contract_amount=57_200_000,
        )
    assert "保証期限 ≥ 工期の終期" in exc_info.value.message
    verified = surety.surety_verify(
        certificate=changed,
        user=section_staff,
        amount=5_720_000,
        expires_on=old_end + dt.timedelta(days=60),
        contract_amount=57_200_000,
    )
    assert verified.status == "verified"


@pytest.mark.django_db
def test_only_a_concluded_change_moves_the_case(ready_contract):
    """A 当初契約, or a 変更契約 not yet concluded, leaves the case's terms alone."""
    case = ready_contract.case
    ready_contract.status = "concluded"
    assert case_follow_change(ready_contract) is False
    ready_contract.save()
    change = services.contract_create_change(original=ready_contract, user=None)
    change.amount = 60_000_000
    assert case_follow_change(change) is False  # 準備中
    change.status = "concluded"
    change.save()
    assert case_follow_change(change) is True
    case.refresh_from_db()
    assert case.amount == 60_000_000
    assert case_follow_change(change) is False  # already the case's terms: nothing to record
    assert AuditEvent.objects.filter(action="case.terms_changed").count() == 1
