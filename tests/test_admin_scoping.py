"""The admin's add and change forms offer — and accept — only the user's department's rows;
webhook receipts and the sync state are department-scoped too."""

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import Contract, SigningRequest, SyncState, WebhookReceipt


def add_contract(client, case):
    return client.post(
        reverse("admin:contracts_contract_add"),
        {
            "case": case.pk,
            "title": "市道改良工事 請負契約",
            "amount": "8800000",
            "tax_amount": "800000",
            "period_start": "2025-11-10",
            "period_end": "2026-03-19",
            "files-TOTAL_FORMS": "0",
            "files-INITIAL_FORMS": "0",
            "signing_requests-TOTAL_FORMS": "0",
            "signing_requests-INITIAL_FORMS": "0",
            "corrections-TOTAL_FORMS": "0",
            "corrections-INITIAL_FORMS": "0",
        },
    )


@pytest.mark.django_db
def test_department_staff_cannot_add_a_contract_to_another_departments_case(
    client, department_staff, case, other_case
):
    client.force_login(department_staff)
    refused = add_contract(client, other_case)
    assert refused.status_code == 200
    assert "正しく選択してください" in refused.content.decode()
    assert not Contract.objects.exists()
    accepted = add_contract(client, case)
    assert accepted.status_code == 302, accepted.content.decode()[:2000]
    assert Contract.objects.get().case == case


@pytest.mark.django_db
def test_the_case_choices_are_scoped(client, department_staff, case, other_case):
    client.force_login(department_staff)
    form = client.get(reverse("admin:contracts_contract_add")).context["adminform"].form
    assert list(form.fields["case"].queryset) == [case]


@pytest.mark.django_db
def test_contract_section_still_sees_every_case(client, section_staff, case, other_case):
    client.force_login(section_staff)
    form = client.get(reverse("admin:contracts_contract_add")).context["adminform"].form
    assert set(form.fields["case"].queryset) == {case, other_case}
    assert add_contract(client, other_case).status_code == 302


@pytest.mark.django_db
def test_webhook_receipts_and_sync_state_are_scoped(
    client, department_staff, section_staff, case, other_case
):
    own = SigningRequest.objects.create(
        contract=services.contract_create(case=case, user=section_staff), document_id="a" * 32
    )
    other = SigningRequest.objects.create(
        contract=services.contract_create(case=other_case, user=section_staff),
        document_id="b" * 32,
    )
    for request in (own, other):
        WebhookReceipt.objects.create(
            document_id=request.document_id, status=2, signing_request=request
        )
    SyncState.objects.create(name="documents")
    client.force_login(department_staff)
    receipts = client.get(reverse("admin:contracts_webhookreceipt_changelist"))
    assert [r.document_id for r in receipts.context["cl"].result_list] == ["a" * 32]
    other_receipt = WebhookReceipt.objects.get(signing_request=other)
    assert (
        client.get(
            reverse("admin:contracts_webhookreceipt_change", args=[other_receipt.pk])
        ).status_code
        == 302  # "does not exist" → back to the list
    )
    assert client.get(reverse("admin:contracts_syncstate_changelist")).status_code == 403
    client.force_login(section_staff)
    receipts = client.get(reverse("admin:contracts_webhookreceipt_changelist"))
    assert receipts.context["cl"].result_count == 2
    assert client.get(reverse("admin:contracts_syncstate_changelist")).status_code == 200


@pytest.mark.django_db
def test_surety_case_choices_are_scoped(client, department_staff, case, other_case):
    """The surety admin's case choices (recording a paper guarantee) follow the department."""
    client.force_login(department_staff)
    from django.contrib import admin

    from surety.models import SuretyCertificate

    model_admin = admin.site._registry[SuretyCertificate]
    request = client.get(reverse("admin:surety_suretycertificate_changelist")).wsgi_request
    field = model_admin.formfield_for_foreignkey(SuretyCertificate._meta.get_field("case"), request)
    assert case in field.queryset and other_case not in field.queryset
