"""Verifying signed PDFs the way PAdES defines it, with pyHanko's own validation API.

A CloudSign PDF carries a signature history, not one signature: one approval signature per step
(the document ID, the sender's inputs, the sender, each recipient), of which only the last has a
signature timestamp (PAdES B-T), usually followed by a DSS and a document timestamp (B-LT/LTA).
This module validates that whole history:

- every approval signature (``/Sig``) with ``validate_pdf_signature``: intact, cryptographically
  valid, chaining to a trust root of ``ESIGN_TRUST_ROOTS``, covering its whole revision, and
  followed only by the changes PAdES allows — later signatures for an earlier signature
  (``ModificationLevel.FORM_FILLING``), only DSS updates and document timestamps for the last one
  (``ModificationLevel.LTA_UPDATES``); a signature timestamp, when present, must be valid too;
- every document timestamp (``/DocTimeStamp``) as a timestamp, with ``validate_pdf_timestamp``;
- at least one trusted timestamp — the last signature's own or a later document timestamp —
  covers the final signed revision.

Certificates are checked as of now; a signature whose certificate fails only now (it expired since,
as every signer certificate will during the archive's ten years) is checked again at the earliest
time a valid timestamp proves it existed (the timestamp itself is always checked as of now).

Three outcomes: 有効; 有効（信頼の起点が未設定） when everything but the chain of trust checks out
and no trust roots are configured; 無効 with the reason. Every signature's checks are recorded.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    EmbeddedPdfSignature,
    SignatureCoverageLevel,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.errors import ValidationInfoReadingError
from pyhanko_certvalidator import ValidationContext

from contracts.constants import SignatureStatus

logger = logging.getLogger(__name__)

UNTRUSTED = "証明書が信頼の起点につながりません"
APPROVAL = "signature"
DOC_TIMESTAMP = "document_timestamp"
LEVEL_TEXT = {
    ModificationLevel.NONE: "変更なし",
    ModificationLevel.LTA_UPDATES: "長期検証情報・文書タイムスタンプの追加のみ",
    ModificationLevel.FORM_FILLING: "後続の署名・フォーム入力",
    ModificationLevel.ANNOTATIONS: "注釈の変更",
    ModificationLevel.OTHER: "その他の変更",
}


@dataclass
class SignatureCheck:
    """What was checked on one signature of the history, and what was found."""

    index: int
    kind: str  # APPROVAL or DOC_TIMESTAMP
    field: str
    signer: str = ""
    signed_at: str | None = None
    timestamp_at: str | None = None
    intact: bool = False
    valid: bool = False
    trusted: bool | None = None  # None: no trust roots to check against
    trust_problem: str = ""
    revoked: bool = False
    coverage: str = ""
    modification_level: str = ""
    docmdp_ok: bool | None = None
    timestamp: str = "none"  # none / valid / invalid (the signature timestamp)
    # When the certificates were checked: None = now; else the time a timestamp proves the
    # signature existed (a certificate that expired since then does not make it invalid).
    validated_at: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        what = "署名" if self.kind == APPROVAL else "文書タイムスタンプ"
        return f"{what}{self.index}（{self.field}）"


@dataclass(frozen=True)
class Verification:
    status: str
    detail: str = ""
    signer: str = ""
    signed_at: dt.datetime | None = None
    timestamp_at: dt.datetime | None = None
    checks: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class TrustRoots:
    certs: list[asn1_x509.Certificate]
    problem: str = ""  # why there are none, in Japanese


def trust_roots_path() -> Path | None:
    if settings.ESIGN_TRUST_ROOTS:
        return Path(settings.ESIGN_TRUST_ROOTS)
    if settings.ESIGN_SANDBOX_ENABLED:
        return Path(settings.ESIGN_SANDBOX_PKI_DIR) / "ca.pem"
    return None


def load_trust_roots() -> TrustRoots:
    """The PEM bundle of ``ESIGN_TRUST_ROOTS`` (the sandbox CA in development)."""
    path = trust_roots_path()
    if path is None:
        return TrustRoots([], "信頼の起点（ESIGN_TRUST_ROOTS）が設定されていません。")
    try:
        certs = list(load_certs_from_pemder([str(path)]))
    except (OSError, ValueError) as exc:
        logger.error("trust roots %s cannot be read: %s", path, exc)
        return TrustRoots([], f"信頼の起点のファイルを読み込めません（{path}）。")
    if not certs:
        return TrustRoots([], f"信頼の起点のファイルに証明書がありません（{path}）。")
    return TrustRoots(certs)


def _context(
    roots: TrustRoots, dss: DocumentSecurityStore | None, moment: dt.datetime | None = None
) -> ValidationContext:
    """Offline: the configured roots, plus the certificates and revocation data in the DSS;
    at ``moment`` (a proven time of existence) instead of now when given."""
    kwargs = {
        "trust_roots": list(roots.certs),  # an empty list: trust nothing (not the OS store)
        "allow_fetching": False,
        "revocation_mode": "soft-fail",
        "retroactive_revinfo": True,
    }
    if moment is not None:
        kwargs["moment"] = moment
    if dss is not None:
        return dss.as_validation_context(kwargs)
    return ValidationContext(**kwargs)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _diff_checks(check: SignatureCheck, status, allowed: ModificationLevel) -> None:
    coverage = status.coverage
    check.coverage = coverage.name if coverage else ""
    if coverage is None or coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        check.problems.append("署名が文書の版全体を覆っていません")
    level = status.modification_level
    check.modification_level = level.name if level else ""
    if status.diff_result is not None and not isinstance(status.diff_result, DiffResult):
        check.problems.append("署名後に許されない変更があります")
    elif level is None or level > allowed:
        text = LEVEL_TEXT.get(level, "不明") if level else "判定できません"
        check.problems.append(f"署名後に許されない変更があります（{text}）")


def _cert_checks(check: SignatureCheck, status, *, with_roots: bool) -> None:
    check.intact = bool(status.intact)
    check.valid = bool(status.valid)
    check.signer = status.signing_cert.subject.human_friendly[:300]
    if not status.intact:
        check.problems.append("署名後に内容が改ざんされています")
    elif not status.valid:
        check.problems.append("署名の暗号検証に失敗しました")
    check.revoked = bool(status.revoked)
    if status.revoked:
        check.problems.append("証明書が失効しています")
    if with_roots:
        check.trusted = bool(status.trusted)
        if status.trust_problem_indic is not None:
            check.trust_problem = status.trust_problem_indic.name
        if not status.trusted and not status.revoked:
            check.problems.append(UNTRUSTED)


def _check_approval(
    sig: EmbeddedPdfSignature,
    index: int,
    roots: TrustRoots,
    dss,
    *,
    last: bool,
    moment: dt.datetime | None = None,
) -> tuple[SignatureCheck, dt.datetime | None]:
    check = SignatureCheck(
        index=index, kind=APPROVAL, field=str(sig.field_name), validated_at=_iso(moment)
    )
    # The signer's chain at ``moment``; a timestamp token is always checked as of now.
    status = validate_pdf_signature(
        sig,
        signer_validation_context=_context(roots, dss, moment),
        ts_validation_context=_context(roots, dss),
    )
    with_roots = bool(roots.certs)
    _cert_checks(check, status, with_roots=with_roots)
    check.signed_at = _iso(status.signer_reported_dt)
    check.docmdp_ok = status.docmdp_ok
    if status.docmdp_ok is False:
        check.problems.append("文書の変更許可（DocMDP）に反する変更があります")
    _diff_checks(
        check,
        status,
        ModificationLevel.LTA_UPDATES if last else ModificationLevel.FORM_FILLING,
    )
    timestamp_at = None
    ts = status.timestamp_validity
    if ts is not None:
        ok = ts.intact and ts.valid and (ts.trusted or not with_roots)
        check.timestamp = "valid" if ok else "invalid"
        check.timestamp_at = _iso(ts.timestamp)
        if ok:
            timestamp_at = ts.timestamp
        else:
            check.problems.append("署名タイムスタンプが無効です")
    return check, timestamp_at


def _check_doc_timestamp(
    sig: EmbeddedPdfSignature, index: int, roots: TrustRoots, dss
) -> tuple[SignatureCheck, dt.datetime | None]:
    check = SignatureCheck(index=index, kind=DOC_TIMESTAMP, field=str(sig.field_name))
    status = validate_pdf_timestamp(sig, validation_context=_context(roots, dss))
    _cert_checks(check, status, with_roots=bool(roots.certs))
    check.timestamp_at = _iso(status.timestamp)
    _diff_checks(check, status, ModificationLevel.LTA_UPDATES)
    return check, (status.timestamp if not check.problems else None)


def verify_pdf(data: bytes, *, roots: TrustRoots | None = None) -> Verification:
    """Validate the whole signature history of ``data``; see the module docstring."""
    roots = roots if roots is not None else load_trust_roots()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception as exc:  # a PDF pyHanko cannot read
        return _invalid(f"PDFを読み取れません（{exc.__class__.__name__}）")
    approvals = [i for i, s in enumerate(signatures) if s.sig_object_type == "/Sig"]
    if not approvals:
        return _invalid("電子署名がありません")
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except ValidationInfoReadingError:
        dss = None
    last_approval = approvals[-1]
    checks: list[SignatureCheck] = []
    proven: list[tuple[int, dt.datetime]] = []  # (position, time a valid timestamp proves)
    covering: dt.datetime | None = None
    counters = {APPROVAL: 0, DOC_TIMESTAMP: 0}
    for position, sig in enumerate(signatures):
        kind = APPROVAL if sig.sig_object_type == "/Sig" else DOC_TIMESTAMP
        counters[kind] += 1
        try:
            if kind == APPROVAL:
                check, ts_at = _check_approval(
                    sig, counters[kind], roots, dss, last=position == last_approval
                )
            elif sig.sig_object_type == "/DocTimeStamp":
                check, ts_at = _check_doc_timestamp(sig, counters[kind], roots, dss)
            else:
                raise ValueError(f"unknown signature type {sig.sig_object_type}")
        except Exception as exc:  # pyHanko refuses the structure itself
            logger.warning("signature %s cannot be validated: %s", position, exc)
            check = SignatureCheck(index=counters[kind], kind=kind, field=str(sig.field_name))
            check.problems.append(f"検証できません（{exc.__class__.__name__}）")
            ts_at = None
        checks.append(check)
        if ts_at is not None:
            proven.append((position, ts_at))
        if ts_at is not None and position >= last_approval:
            covering = max(covering, ts_at) if covering else ts_at
    # Long-term validation: a signature whose only fault now is its certificate (expired since,
    # for instance) is checked again at the earliest time a valid timestamp proves it existed.
    for position, sig in enumerate(signatures):
        check = checks[position]
        if check.kind != APPROVAL or check.problems != [UNTRUSTED]:
            continue
        moment = min((t for p, t in proven if p >= position), default=None)
        if moment is None:
            continue
        again, _ = _check_approval(
            sig, check.index, roots, dss, last=position == last_approval, moment=moment
        )
        if not again.problems:
            checks[position] = again
    recorded = [asdict(c) | {"label": c.label} for c in checks]
    problems = [f"{c.label}: {p}" for c in checks for p in c.problems]
    if covering is None:
        problems.append(
            "最後の署名を覆う有効なタイムスタンプ（署名タイムスタンプまたは文書タイムスタンプ）"
            "がありません"
        )
    final = checks[last_approval]
    if problems:
        return _invalid("、".join(problems), checks=recorded)
    n_sig = counters[APPROVAL]
    n_ts = counters[DOC_TIMESTAMP]
    summary = f"署名{n_sig}件" + (f"・文書タイムスタンプ{n_ts}件" if n_ts else "")
    common = {
        "signer": final.signer,
        "signed_at": dt.datetime.fromisoformat(final.signed_at) if final.signed_at else None,
        "timestamp_at": covering,
        "checks": recorded,
    }
    if not roots.certs:
        return Verification(
            SignatureStatus.VALID_NO_ROOT,
            f"有効（信頼の起点が未設定）: {summary}は改ざんされておらず、"
            f"タイムスタンプも有効ですが、証明書の発行元は確認していません。{roots.problem}",
            **common,
        )
    return Verification(
        SignatureStatus.VALID,
        f"有効: {summary}を検証しました（改ざんなし・信頼の起点まで検証・タイムスタンプあり）。",
        **common,
    )


def _invalid(reason: str, *, checks: list[dict] | None = None) -> Verification:
    return Verification(SignatureStatus.INVALID, f"無効（{reason}）", checks=checks or [])
