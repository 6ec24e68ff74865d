"""Register the portal's webhook URL in the sandbox (``make run`` does this), as the city does in
CloudSign's チーム設定 → Hook URL — so that a conclusion reaches the portal at once."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from esign_sandbox.models import WebhookEndpoint


class Command(BaseCommand):
    help = "ポータルのWebhook URLをサンドボックスに登録します（何度実行しても1件）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site-url", default=settings.SITE_URL)

    def handle(self, *args, site_url: str, **options) -> None:
        if not settings.ESIGN_SANDBOX_ENABLED:
            raise CommandError("サンドボックスが無効です（ESIGN_SANDBOX_ENABLED）。")
        secret = settings.CLOUDSIGN_WEBHOOK_SECRET
        if not secret:
            raise CommandError("CLOUDSIGN_WEBHOOK_SECRET が設定されていません。")
        url = site_url.rstrip("/") + reverse("cloudsign_webhook", args=[secret])
        endpoint, created = WebhookEndpoint.objects.get_or_create(url=url)
        if not endpoint.active:
            endpoint.active = True
            endpoint.save(update_fields=["active"])
        self.stdout.write(f"Webhook URL {'登録' if created else '登録済み'}: {url}")
