"""One send reads the contract PDF once: the send page's check is the send's."""

import pytest
from django.urls import reverse

from contracts import pdf_check
from contracts.models import SigningRequest
from tests.contracts.test_pdf_check import DEMO_PDF, contract_for


@pytest.fixture
def reads(monkeypatch):
    """Each read of a contract PDF's text (the call that parses it, in a child process)."""
    calls = []
    real = pdf_check.read_untrusted_pdf

    def counting(fn, data, **kwargs):
        calls.append(fn.__name__)
        return real(fn, data, **kwargs)

    monkeypatch.setattr(pdf_check, "read_untrusted_pdf", counting)
    return calls


@pytest.fixture
def demo_case(case):
    case.title = "市道1234号線道路改良工事"
    case.save()
    return case


@pytest.mark.django_db
def test_a_send_parses_the_contract_pdf_once(
    client, demo_case, section_staff, accepted_econtract, reads
):
    contract = contract_for(demo_case, section_staff, DEMO_PDF.read_bytes())
    client.force_login(section_staff)
    response = client.post(reverse("admin:contracts_contract_send", args=[contract.pk]), {})
    assert response.status_code == 302
    assert SigningRequest.objects.filter(contract=contract).count() == 1
    assert reads == ["extract_text"]


@pytest.mark.django_db
def test_a_bulk_send_parses_each_contract_pdf_once(
    client, demo_case, section_staff, accepted_econtract, reads
):
    contract = contract_for(demo_case, section_staff, DEMO_PDF.read_bytes())
    client.force_login(section_staff)
    response = client.post(
        reverse("admin:contracts_contract_changelist"),
        {"action": "send_selected", "_selected_action": [contract.pk], "apply": "1"},
    )
    assert response.status_code == 302
    assert SigningRequest.objects.filter(contract=contract).count() == 1
    assert reads == ["extract_text"]
