"""Contracts in the admin and for the contractor: permissions, pages, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import services
from contracts.models import Contract, ContractFile, SigningRequest
from core.models import StoredFile
from tests.factories import CaseFactory
from tests.pdfs import PNG_BYTES, pdf_upload

CHANGELIST = "admin:contracts_contract_changelist"


def send_action(client, contract):
    """The list action, confirmed on its page (as the page's button posts it)."""
    return client.post(
        reverse(CHANGELIST),
        {"action": "send_selected", "_selected_action": [contract.pk], "apply": "1"},
    )


@pytest.mark.django_db
def test_the_send_action_asks_first(client, section_staff, ready_contract):
    client.force_login(section_staff)
    page = client.post(
        reverse(CHANGELIST), {"action": "send_selected", "_selected_action": [ready_contract.pk]}
    )
    html = page.content.decode()
    assert page.status_code == 200 and "1件を送信する" in html and "送信できます。" in html
    assert not SigningRequest.objects.exists()


@pytest.mark.django_db
def test_staff_send_from_the_admin(client, section_staff, ready_contract):
    client.force_login(section_staff)
    response = send_action(client, ready_contract)
    assert response.status_code == 302
    assert SigningRequest.objects.filter(contract=ready_contract).count() == 1
    ready_contract.refresh_from_db()
    assert ready_contract.status == "signing"


@pytest.mark.django_db
def test_gate_failures_are_named_on_the_admin_page(client, section_staff, case, signer_department):
    contract = services.contract_create(case=case, user=section_staff)
    client.force_login(section_staff)
    page = client.get(
        reverse("admin:contracts_contract_change", args=[contract.pk])
    ).content.decode()
    assert "電子契約利用申出書が提出されていません。" in page
    assert "署名するPDFがありません。" in page
    response = send_action(client, contract)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("電子契約利用申出書が提出されていません。" in m for m in messages)
    assert not SigningRequest.objects.exists()


@pytest.mark.django_db
def test_readonly_staff_cannot_send(client, readonly_staff, ready_contract):
    client.force_login(readonly_staff)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "send_selected" not in page
    send_action(client, ready_contract)
    assert not SigningRequest.objects.exists()


@pytest.mark.django_db
def test_department_staff_only_for_their_department(
    client, department_staff, ready_contract, other_case, section_staff
):
    other = services.contract_create(case=other_case, user=section_staff)
    client.force_login(department_staff)
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert reverse("admin:contracts_contract_change", args=[ready_contract.pk]) in page
    assert reverse("admin:contracts_contract_change", args=[other.pk]) not in page
    send_action(client, other)  # not in their queryset: nothing happens
    assert not SigningRequest.objects.filter(contract=other).exists()
    send_action(client, ready_contract)
    assert SigningRequest.objects.filter(contract=ready_contract).count() == 1


@pytest.mark.django_db
def test_admin_upload_refuses_a_bad_pdf(client, section_staff, case, signer_department):
    contract = services.contract_create(case=case, user=section_staff)
    client.force_login(section_staff)
    url = reverse("admin:contracts_contract_change", args=[contract.pk])
    data = {
        "title": contract.title,
        "amount": contract.amount,
        "period_start": "2025-11-10",
        "period_end": "2026-03-19",
        "files-TOTAL_FORMS": "1",
        "files-INITIAL_FORMS": "0",
        "files-0-upload": pdf_upload().__class__("x.pdf", PNG_BYTES, "application/pdf"),
        "signing_requests-TOTAL_FORMS": "0",
        "signing_requests-INITIAL_FORMS": "0",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "PDFファイルではありません。" in response.content.decode()
    assert not ContractFile.objects.exists() and not StoredFile.objects.exists()
    data["files-0-upload"] = pdf_upload()
    assert client.post(url, data).status_code == 302
    assert contract.files.get().file.original_name == "建設工事請負契約書.pdf"


@pytest.mark.django_db
def test_contractor_pages(client, contractor, other_contractor, ready_contract, section_staff):
    client.force_login(contractor)
    assert (
        "現在、表示できる契約はありません。"
        in client.get(reverse("contract_list")).content.decode()
    )
    assert client.get(reverse("contract_detail", args=[ready_contract.pk])).status_code == 404
    services.contract_send_for_signature(contract=ready_contract, user=section_staff)
    page = client.get(reverse("contract_list")).content.decode()
    assert ready_contract.title in page and "署名依頼中" in page
    detail = client.get(reverse("contract_detail", args=[ready_contract.pk])).content.decode()
    assert "support@cloudsign.jp" in detail and "順番待ち" in detail
    f = ready_contract.files.first()
    assert client.get(reverse("contract_file", args=[ready_contract.pk, f.pk])).status_code == 200
    client.force_login(other_contractor)
    assert client.get(reverse("contract_detail", args=[ready_contract.pk])).status_code == 404
    assert client.get(reverse("contract_file", args=[ready_contract.pk, f.pk])).status_code == 404
    assert ready_contract.title not in client.get(reverse("contract_list")).content.decode()


@pytest.mark.django_db
def test_changelist_queries_are_bounded_with_1000_contracts(
    client, section_staff, company, department
):
    client.force_login(section_staff)
    cases = CaseFactory.create_batch(5, awarded_company=company, department=department)
    Contract.objects.bulk_create(
        Contract(case=cases[i % 5], title=f"契約{i}", amount=1_000_000 + i) for i in range(1000)
    )
    client.get(reverse(CHANGELIST))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200 and "1000" in response.content.decode()
    assert len(queries) <= 12, [q["sql"][:100] for q in queries]
