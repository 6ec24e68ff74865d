import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import audit
from core.models import AuditEvent


@pytest.fixture
def event(case):
    return audit.record("case.test", target=case, payload={"x": 1})


@pytest.mark.django_db
def test_record_describes_target_and_system_actor(event, case):
    assert event.actor is None
    assert event.actor_label == "system"
    assert event.target_type == "cases.case"
    assert event.target_id == str(case.pk)
    assert event.payload == {"x": 1}


@pytest.mark.django_db
def test_model_refuses_update_and_delete(event):
    event.action = "tampered"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "case.test"


@pytest.mark.django_db
def test_admin_cannot_add_change_or_delete_even_as_superuser(admin_client, event):
    change_url = reverse("admin:core_auditevent_change", args=[event.pk])
    response = admin_client.get(change_url)
    assert response.status_code == 200  # viewable
    assert b'name="action"' not in response.content  # but no input to edit
    assert admin_client.post(change_url, {"action": "tampered"}).status_code == 403
    delete_url = reverse("admin:core_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:core_auditevent_add")).status_code == 403
    changelist = admin_client.post(
        reverse("admin:core_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)
    event.refresh_from_db()
    assert event.action == "case.test"
    assert AuditEvent.objects.filter(pk=event.pk).exists()
