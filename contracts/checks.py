"""System checks of the signed-document archive: production must know whom it trusts."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


def _production() -> bool:
    return getattr(settings, "DJANGO_ENV", "development") == "production"


def trust_roots_configured(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Without trust roots no signature can be 有効, and an attacker's self-signed PDF would
    pass every other check: production refuses to start (and ``check --deploy`` fails)."""
    if not _production():
        return []
    problem = _trust_roots_problem()
    messages: list[checks.CheckMessage] = []
    if problem:
        messages.append(
            checks.Error(
                f"No trust roots for signed PDFs: {problem}",
                hint="Set ESIGN_TRUST_ROOTS to a PEM bundle of the CAs CloudSign signs and "
                "timestamps with (see docs/deploy.md).",
                id="contracts.E001",
            )
        )
    if not settings.ESIGN_ARCHIVE_TSA_URL:
        messages.append(
            checks.Warning(
                "ESIGN_ARCHIVE_TSA_URL is empty: archive timestamps are never renewed, and "
                "signed documents stop verifying once their timestamp certificates expire.",
                hint="Set the city's RFC 3161 TSA address.",
                id="contracts.W001",
            )
        )
    return messages


def _trust_roots_problem() -> str:
    """Why ``ESIGN_TRUST_ROOTS`` gives no certificate ("" when it does). Read with cryptography
    alone: the check must not import the verifier (pyHanko) at start-up."""
    from cryptography import x509

    path = settings.ESIGN_TRUST_ROOTS
    if not path:
        return "ESIGN_TRUST_ROOTS is not set."
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return f"{path} cannot be read ({exc.strerror})."
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        try:
            certs = [x509.load_der_x509_certificate(data)]
        except ValueError:
            certs = []
    return "" if certs else f"{path} holds no certificate."
