"""Nightly re-verification of every stored signed PDF with the verifier that stored it
(registered with ``core.integrity`` in ``ContractsConfig.ready``)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from contracts.constants import SignatureStatus
from contracts.models import SignedDocument
from contracts.services.versions import renew_due_at
from core import audit
from core.models import StoredFile

logger = logging.getLogger(__name__)


def signed_documents_reverify() -> list[tuple[StoredFile, str]]:
    """Re-verify each signed document; record the new result; a document that is no longer
    valid (or whose result changed) is audited and reported to the administrators."""
    # (imported here: pyHanko is a quarter of a second of every process's start-up, and this
    # module is imported by ContractsConfig.ready)
    from contracts.verify import load_trust_roots, verify_pdf

    roots = load_trust_roots()
    problems: list[tuple[StoredFile, str]] = []
    documents = SignedDocument.objects.select_related("stored_file").order_by("pk")
    for document in documents.iterator(chunk_size=200):
        try:
            with document.stored_file.file.open("rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            continue  # the hash check has already reported it missing
        result = verify_pdf(data, roots=roots)
        previous = document.signature_status
        with transaction.atomic():
            SignedDocument.objects.filter(pk=document.pk).update(
                signature_status=result.status,
                signature_detail=result.detail,
                signature_checks=result.checks,
                verified_at=timezone.now(),
                long_term=result.long_term,
                renew_due_at=renew_due_at(result.timestamp_expires_at),
            )
            if result.status != previous:
                audit.record(
                    "signed_document.reverified",
                    target=document,
                    payload={"before": previous, "after": result.status, "detail": result.detail},
                )
        if result.status == SignatureStatus.INVALID:
            logger.error("signed document %s: %s", document.pk, result.detail)
            problems.append((document.stored_file, "signature"))
    return problems
