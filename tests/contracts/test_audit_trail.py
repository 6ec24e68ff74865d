"""Staff edits keep their before/after values, admin writes go through the services, and every
download and export is in the audit log."""

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import ContractFile
from core.models import AuditEvent, StoredFile
from tests.pdfs import pdf_upload

pytestmark = pytest.mark.django_db


def change_form(contract, **values):
    data = {
        "title": contract.title,
        "amount": contract.amount,
        "tax_amount": contract.tax_amount or "",
        "contract_date": "",
        "period_start": contract.period_start.isoformat() if contract.period_start else "",
        "period_end": contract.period_end.isoformat() if contract.period_end else "",
        "files-TOTAL_FORMS": "0",
        "files-INITIAL_FORMS": "0",
        "signing_requests-TOTAL_FORMS": "0",
        "signing_requests-INITIAL_FORMS": "0",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
    }
    data.update(values)
    return data


def test_contract_add_in_the_admin_goes_through_the_service(client, section_staff, case):
    """契約の追加 is 契約書の作成 from the case (issue 15): the old add form leads there, and the
    contract it makes goes through contract_create / contract_add_file, audited."""
    client.force_login(section_staff)
    add = client.post(reverse("admin:contracts_contract_add"), {"case": case.pk})
    assert add.status_code == 302 and not case.contracts.exists()
    response = client.post(
        reverse("admin:contracts_contract_prepare", args=[case.pk]),
        {
            "title": case.title,
            "amount": "49500000",
            "tax_amount": "4500000",
            "period_start": "2025-11-10",
            "period_end": "2026-03-19",
            "upload": pdf_upload(),
            "reason": "変更協議による減額",
        },
    )
    created = case.contracts.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (created.title, created.amount, created.tax_amount) == (
        case.title,
        49_500_000,
        4_500_000,
    )
    assert created.created_by == section_staff
    event = AuditEvent.objects.get(action="contract.created")
    assert event.actor == section_staff and event.target_id == str(created.pk)
    differ = AuditEvent.objects.get(action="contract.values_differ")
    assert differ.payload["reason"] == "変更協議による減額"


def test_contract_edit_keeps_before_and_after(client, section_staff, case):
    contract = services.contract_create(case=case, user=section_staff)
    old_amount = contract.amount
    client.force_login(section_staff)
    url = reverse("admin:contracts_contract_change", args=[contract.pk])
    response = client.post(url, change_form(contract, amount=old_amount + 1000))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="contract.saved")
    assert event.payload["changes"] == {"amount": [old_amount, old_amount + 1000]}


def test_file_removal_is_a_service_and_audited_with_the_hash(client, section_staff, case):
    contract = services.contract_create(case=case, user=section_staff)
    contract_file = services.contract_add_file(
        contract=contract, user=section_staff, upload=pdf_upload()
    )
    sha = contract_file.file.sha256
    client.force_login(section_staff)
    data = change_form(
        contract,
        **{
            "files-TOTAL_FORMS": "1",
            "files-INITIAL_FORMS": "1",
            "files-0-id": contract_file.pk,
            "files-0-contract": contract.pk,
            "files-0-DELETE": "on",
        },
    )
    response = client.post(reverse("admin:contracts_contract_change", args=[contract.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not ContractFile.objects.exists()
    assert StoredFile.objects.filter(sha256=sha).exists()  # the original is kept
    event = AuditEvent.objects.get(action="contract.file_removed")
    assert event.payload["sha256"] == sha and event.actor == section_staff


def test_a_sent_contract_keeps_its_files(ready_contract, section_staff):
    services.contract_send_for_signature(contract=ready_contract, user=section_staff)
    with pytest.raises(services.ContractError):
        services.contract_remove_file(
            contract_file=ready_contract.files.first(), user=section_staff
        )
    assert ready_contract.files.count() == 2


def test_case_edit_in_the_admin_keeps_before_and_after(client, section_staff, case):
    client.force_login(section_staff)
    url = reverse("admin:cases_case_change", args=[case.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
    old_title = case.title
    data["title"] = "市道1234号線道路改良工事（その2）"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="case.changed")
    assert event.payload["changes"] == {"title": [old_title, "市道1234号線道路改良工事（その2）"]}


def test_downloads_are_audited(client, contractor, ready_contract, section_staff):
    services.contract_send_for_signature(contract=ready_contract, user=section_staff)
    contract_file = ready_contract.files.first()
    client.force_login(contractor)
    response = client.get(reverse("contract_file", args=[ready_contract.pk, contract_file.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="file.downloaded")
    assert event.actor == contractor
    assert event.target_type == "contracts.contract" and event.target_id == str(ready_contract.pk)
    assert event.payload["sha256"] == contract_file.file.sha256


def test_exports_are_audited(client, section_staff):
    client.force_login(section_staff)
    response = client.get(
        reverse("admin:applications_application_export"), {"status__exact": "submitted"}
    )
    b"".join(response.streaming_content)
    response = client.get(reverse("admin:contracts_contract_archive_export"))
    b"".join(response.streaming_content)
    actions = list(AuditEvent.objects.values_list("action", "payload"))
    assert ("applications.exported", {"filters": {"status__exact": "submitted"}}) in actions
    assert ("archive.exported", {"filters": {}}) in actions
