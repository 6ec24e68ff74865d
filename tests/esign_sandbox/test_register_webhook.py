"""``make run`` registers the portal's webhook in the sandbox: conclusion reaches it at once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from esign_sandbox.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_registers_once(settings):
    settings.CLOUDSIGN_WEBHOOK_SECRET = "dev-webhook-secret"
    out = StringIO()
    call_command("sandbox_register_webhook", site_url="http://127.0.0.1:8000/", stdout=out)
    call_command("sandbox_register_webhook", site_url="http://127.0.0.1:8000", stdout=out)
    url = "http://127.0.0.1:8000/hooks/cloudsign/dev-webhook-secret/"
    assert list(WebhookEndpoint.objects.values_list("url", "active")) == [(url, True)]
    assert "登録済み" in out.getvalue()


def test_refuses_without_secret(settings):
    settings.CLOUDSIGN_WEBHOOK_SECRET = ""
    with pytest.raises(CommandError, match="CLOUDSIGN_WEBHOOK_SECRET"):
        call_command("sandbox_register_webhook")
    assert not WebhookEndpoint.objects.exists()
