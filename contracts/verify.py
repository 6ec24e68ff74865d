"""Verifying the PDF signatures of signed documents with pyHanko against configured trust roots."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from contracts.constants import SignatureStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verification:
    status: str
    detail: str = ""
    signer: str = ""
    signed_at: dt.datetime | None = None
    timestamp_at: dt.datetime | None = None


def trust_roots_path() -> Path | None:
    if settings.ESIGN_TRUST_ROOTS:
        return Path(settings.ESIGN_TRUST_ROOTS)
    if settings.ESIGN_SANDBOX_ENABLED:
        return Path(settings.ESIGN_SANDBOX_PKI_DIR) / "ca.pem"
    return None


def verify_pdf(data: bytes) -> Verification:
    """有効 when every signature is intact, valid and chains to a trust root (with its timestamp);
    無効 when one is not; 未検証 when there is no signature or nothing to trust."""
    roots = trust_roots_path()
    if roots is None or not roots.exists():
        return Verification(
            SignatureStatus.UNVERIFIED, "信頼するルート証明書が設定されていません。"
        )
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # a PDF pyHanko cannot read
        return Verification(
            SignatureStatus.INVALID, f"PDFを読み取れません: {exc.__class__.__name__}"
        )
    if not signatures:
        return Verification(SignatureStatus.UNVERIFIED, "電子署名がありません。")
    context = ValidationContext(
        trust_roots=list(load_certs_from_pemder([str(roots)])), allow_fetching=False
    )
    result = None
    for signature in signatures:
        try:
            status = validate_pdf_signature(
                signature, signer_validation_context=context, ts_validation_context=context
            )
        except Exception as exc:
            logger.warning("signature validation failed: %s", exc)
            return Verification(
                SignatureStatus.INVALID, f"検証できません: {exc.__class__.__name__}"
            )
        timestamp = status.timestamp_validity
        detail = (
            f"改ざんなし={status.intact} 署名有効={status.valid} 信頼={status.trusted} "
            f"タイムスタンプ={'有効' if timestamp and timestamp.valid else 'なし/無効'}"
        )
        if not (status.bottom_line and timestamp is not None and timestamp.valid):
            return Verification(SignatureStatus.INVALID, detail)
        result = Verification(
            SignatureStatus.VALID,
            detail,
            signer=status.signing_cert.subject.human_friendly[:300],
            signed_at=status.signer_reported_dt,
            timestamp_at=timestamp.timestamp,
        )
    return result
