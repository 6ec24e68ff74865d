"""Re-encrypt every encrypted credential with the newest FIELD_ENCRYPTION_KEYS key.

Key rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it),
restart, run this command, then remove the old keys. Clear values left from before encryption
are encrypted too. Each row is written in its own short transaction, so the command can run
while the portal is up and can be run again after an interruption."""

from django.core.management.base import BaseCommand
from django.db import transaction

from core import audit
from core.crypto import digest, encrypted_fields


class Command(BaseCommand):
    help = "暗号化された認証キー・閲覧用パスワードを最新の鍵で暗号化し直します。"

    def handle(self, *args, **options) -> None:
        by_model: dict = {}
        for model, field in encrypted_fields():
            by_model.setdefault(model, []).append(field)
        total = 0
        for model, fields in by_model.items():
            names = [f.name for f in fields]
            digests = hasattr(model, "auth_key_digest")
            count = 0
            # read in clear through the fields (any configured key opens them), written back
            # through the fields (encrypted with the newest key)
            rows = model._base_manager.only("pk", *names).order_by("pk")
            for row in rows.iterator(chunk_size=500):
                values = {name: getattr(row, name) for name in names}
                if digests:
                    values["auth_key_digest"] = digest(row.auth_key or "")
                with transaction.atomic():
                    model._base_manager.filter(pk=row.pk).update(**values)
                count += 1
            total += count
            self.stdout.write(f"{model._meta.verbose_name}: {count} 件")
        audit.record("core.secrets_reencrypted", payload={"rows": total})
        self.stdout.write(self.style.SUCCESS(f"{total} 件を最新の鍵で暗号化し直しました。"))
