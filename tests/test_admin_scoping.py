"""The admin's add and change forms offer — and accept — only the user's department's rows;
webhook receipts and the sync state are department-scoped too."""

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import Contract, SigningRequest, SyncState, WebhookReceipt


def prepare(client, case, method="get"):
    """契約書の作成 from the case (契約を追加 leads there): its page, or its form posted empty."""
    url = reverse("admin:contracts_contract_prepare", args=[case.pk])
    return client.get(url) if method == "get" else client.post(url, {})


@pytest.mark.django_db
def test_department_staff_cannot_add_a_contract_to_another_departments_case(
    client, department_staff, case, other_case
):
    client.force_login(department_staff)
    assert prepare(client, other_case).status_code == 404
    assert prepare(client, other_case, "post").status_code == 404
    assert not Contract.objects.exists()
    assert prepare(client, case).status_code == 200


@pytest.mark.django_db
def test_the_case_choices_are_scoped(client, department_staff, case, other_case):
    """Picking the case by its number finds only the user's department's cases."""
    client.force_login(department_staff)
    pick = reverse("admin:contracts_contract_prepare_pick")
    found = client.get(pick, {"number": case.number})
    assert found.status_code == 302 and found.url.endswith(f"/prepare/{case.pk}/")
    other = client.get(pick, {"number": other_case.number})
    assert other.status_code == 200
    assert f"案件番号「{other_case.number}」の案件が見つかりません。" in other.content.decode()


@pytest.mark.django_db
def test_contract_section_still_sees_every_case(client, section_staff, case, other_case):
    client.force_login(section_staff)
    assert prepare(client, case).status_code == 200
    assert prepare(client, other_case).status_code == 200


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
    # Webhook receipts and the sync state are technical records (「システム管理」): neither a
    # 担当課 user nor a 契約管財課 clerk opens them, so no department sees another's receipts.
    for user in (department_staff, section_staff):
        client.force_login(user)
        assert client.get(reverse("admin:contracts_webhookreceipt_changelist")).status_code == 403
        other_receipt = WebhookReceipt.objects.get(signing_request=other)
        change = reverse("admin:contracts_webhookreceipt_change", args=[other_receipt.pk])
        assert client.get(change).status_code == 403
        assert client.get(reverse("admin:contracts_syncstate_changelist")).status_code == 403
    from tests.factories import StaffFactory

    administrator = StaffFactory(email="admin@city.example", is_superuser=True)
    client.force_login(administrator)
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


def opened(client, url) -> tuple[list, list[str]]:
    """Where the admin sent the user, and the messages the page there showed."""
    response = client.get(url, follow=True)
    return response.redirect_chain, [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_another_departments_row_is_not_said_to_be_deleted(
    client, department_staff, section_staff, other_case, other_contractor
):
    """A 担当課 user who opens another department's application is told it is not found or not
    theirs to see — not 「削除された可能性があります」, since it exists; an ID that does not exist
    reads the same (the message says nothing of which)."""
    from tests.applications.helpers import filed

    other = filed(other_case, other_contractor)
    change = reverse("admin:applications_application_change", args=[other.pk])
    missing = reverse("admin:applications_application_change", args=[other.pk + 1000])
    client.force_login(department_staff)
    redirects, messages = opened(client, change)
    assert redirects == [(reverse("admin:index"), 302)]
    assert messages == [
        f"ID「{other.pk}」の申請は、存在しないか閲覧する権限がないため、表示できません。"
    ]
    assert opened(client, missing)[1] == [
        f"ID「{other.pk + 1000}」の申請は、存在しないか閲覧する権限がないため、表示できません。"
    ]
    # 契約管財課 sees every department: for it, a missing row is just missing
    client.force_login(section_staff)
    assert client.get(change).status_code == 200
    redirects, messages = opened(client, missing)
    assert redirects == [(reverse("admin:index"), 302)]
    assert len(messages) == 1 and "削除された可能性があります" in messages[0]
