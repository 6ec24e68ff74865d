"""CloudSign's long-term signature, added about 24 hours after conclusion
(``ESIGN_SANDBOX_LONG_TERM_DELAY_SECONDS``): a DSS and a document timestamp on every signed file.
Run by the delayed task ``add_long_term_signatures`` and before every download."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from esign_sandbox.models import DocStatus, Document


def long_term_due_at(doc: Document) -> dt.datetime | None:
    if doc.status != DocStatus.CONCLUDED or doc.concluded_at is None:
        return None
    return doc.concluded_at + dt.timedelta(seconds=settings.ESIGN_SANDBOX_LONG_TERM_DELAY_SECONDS)


@transaction.atomic
def add_long_term(doc_id: str, *, force: bool = False) -> bool:
    """About 24 hours after conclusion (``ESIGN_SANDBOX_LONG_TERM_DELAY_SECONDS``) CloudSign
    appends to each signed file a DSS (certificates and CRL) and a document timestamp. Called
    by a delayed task and before every download (whichever comes first); once per document.
    ``force``: now, whatever the delay (tests and the demo)."""
    doc = Document.objects.select_for_update().filter(pk=doc_id).first()
    if doc is None or doc.long_term_at is not None:
        return False
    due = long_term_due_at(doc)
    if due is None or (not force and timezone.now() < due):
        return False
    from esign_sandbox import pki  # pyHanko on the first use only

    for f in doc.files.all():
        if f.signed_data:
            f.signed_data = pki.add_long_term(bytes(f.signed_data))
            f.save(update_fields=["signed_data"])
    doc.long_term_at = timezone.now()
    doc.save(update_fields=["long_term_at"])
    return True
