"""Verifying signed PDFs the way PAdES defines it, with pyHanko's own validation API.

A CloudSign PDF carries a signature history, not one signature: one approval signature per step
(the document ID, the sender's inputs, the sender, each recipient), of which only the last has a
signature timestamp (PAdES-T, what CloudSign hands out at conclusion); about 24 hours later
CloudSign appends a DSS and a document timestamp (PAdES-LTA), and the city renews that with its
own archive timestamps for the retention period. This module validates that whole history:

- every approval signature (``/Sig``) with ``validate_pdf_signature``: intact, cryptographically
  valid, chaining to a trust root of ``ESIGN_TRUST_ROOTS``, not revoked, covering its whole
  revision, and followed only by the changes PAdES allows — later signatures for an earlier one
  (``ModificationLevel.FORM_FILLING``), only DSS updates and document timestamps for the last one
  (``ModificationLevel.LTA_UPDATES``); its signature timestamp, when present, must be valid too;
- every document timestamp (``/DocTimeStamp``) with ``validate_pdf_timestamp``;
- the last signature of any kind covers the **whole file** (nothing appended after it);
- revocation is hard-fail: CRLs are fetched from the certificates' distribution points on the
  hosts of ``ESIGN_REVOCATION_HOSTS`` and read from the file's DSS; with none usable the result is
  未確認, never 有効;
- time: the newest timestamp is checked at the validation time (now, or ``at``); every earlier
  signature or timestamp is checked at the time the next valid timestamp proves it existed
  (``ValidationContext(moment=...)``). A certificate that has expired since is therefore fine
  while an unbroken chain of valid timestamps covers it (PAdES-LTA), and 期限切れ otherwise.

Outcomes: 有効; 未確認 (nothing wrong found, but revocation could not be confirmed or no trust
roots are configured); 無効 with the reason (改ざん・署名後の追記・失効・期限切れ・信頼の起点外 …).
Every signature's checks are recorded.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import requests
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils import timezone
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
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

# Reasons, in Japanese (the part after the signature's label).
TAMPERED = "署名後に内容が改ざんされています"
APPENDED = "最後の署名の後に、署名されていないデータが追記されています"
REVOKED = "証明書が失効しています"
EXPIRED = (
    "証明書の有効期限が切れています（期限内であったことを示す有効なタイムスタンプがありません）"
)
UNTRUSTED = "証明書が信頼の起点につながりません（信頼の起点外）"
NO_REVOCATION = "証明書の失効情報を確認できません"
NO_ROOTS = "信頼の起点が設定されていないため、証明書の発行元を確認できません"
APPROVAL = "signature"
DOC_TIMESTAMP = "document_timestamp"
LEVEL_TEXT = {
    ModificationLevel.NONE: "変更なし",
    ModificationLevel.LTA_UPDATES: "長期検証情報・文書タイムスタンプの追加のみ",
    ModificationLevel.FORM_FILLING: "後続の署名・フォーム入力",
    ModificationLevel.ANNOTATIONS: "注釈の変更",
    ModificationLevel.OTHER: "その他の変更",
}
_REVOKED_INDICS = {
    AdESFailure.REVOKED,
    AdESIndeterminate.REVOKED_NO_POE,
    AdESIndeterminate.REVOKED_CA_NO_POE,
}
_EXPIRED_INDICS = {
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
}
_REVINFO_INDICS = {AdESIndeterminate.TRY_LATER, AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE}
# Problems that leave the outcome open (未確認) rather than 無効.
_UNCONFIRMED = {NO_REVOCATION, NO_ROOTS}


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
    # When the certificates were checked: None = the validation time; else the time a later
    # timestamp proves the signature existed.
    validated_at: str | None = None
    # The timestamp's TSA certificate expires then (renewal is due before it).
    tsa_not_after: str | None = None
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
    # A document timestamp covers the last signature (PAdES-LTA: CloudSign's 長期署名).
    long_term: bool = False
    # The newest timestamp's TSA certificate expires then: renew the archive timestamp before.
    timestamp_expires_at: dt.datetime | None = None


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


# --- revocation data -----------------------------------------------------------------------


def _certs_of(sig: EmbeddedPdfSignature) -> list[asn1_x509.Certificate]:
    certs = [c.chosen for c in sig.signed_data["certificates"] or () if c.name == "certificate"]
    try:
        token = sig.attached_timestamp_data
    except Exception:  # no or unreadable signature timestamp
        token = None
    if token is not None:
        certs += [c.chosen for c in token["certificates"] or () if c.name == "certificate"]
    return certs


def fetch_crls(certs: list[asn1_x509.Certificate]) -> list[asn1_crl.CertificateList]:
    """The CRLs named in the certificates' distribution points, fetched only from the hosts of
    ``ESIGN_REVOCATION_HOSTS`` (short timeouts; an unreachable CRL is simply not there)."""
    hosts = {h.lower() for h in settings.ESIGN_REVOCATION_HOSTS}
    urls: list[str] = []
    for cert in certs:
        for point in cert.crl_distribution_points or ():
            url = point.url
            if url and url not in urls and (urlparse(url).hostname or "").lower() in hosts:
                urls.append(url)
    crls = []
    for url in urls:
        cached = _CRL_CACHE.get(url)
        if cached is not None and cached[0] > time.monotonic():
            crls.append(cached[1])
            continue
        try:
            response = requests.get(url, timeout=(3, 10))
            response.raise_for_status()
            crl = asn1_crl.CertificateList.load(response.content)
        except (requests.RequestException, ValueError, TypeError) as exc:
            logger.warning("CRL %s not usable: %s", url, exc)
            continue
        if _parses(crl):
            crls.append(crl)
            if settings.ESIGN_CRL_CACHE_SECONDS > 0:
                _CRL_CACHE[url] = (time.monotonic() + settings.ESIGN_CRL_CACHE_SECONDS, crl)
    return crls


# url -> (monotonic expiry, CRL): a CRL fetched in this process is reused for a few minutes
# (ESIGN_CRL_CACHE_SECONDS), as every relying party caches CRLs.
_CRL_CACHE: dict[str, tuple[float, asn1_crl.CertificateList]] = {}


def _parses(crl: asn1_crl.CertificateList) -> bool:
    try:
        _ = crl.native
    except (ValueError, TypeError):
        return False
    return True


@dataclass
class _Sources:
    roots: TrustRoots
    dss: DocumentSecurityStore | None
    crls: list[asn1_crl.CertificateList]

    def context(self, moment: dt.datetime, *, hard: bool = True) -> ValidationContext:
        """Hard-fail revocation from the fetched CRLs and the DSS, at ``moment`` (soft-fail
        only to classify a failure)."""
        kwargs = {
            "trust_roots": list(self.roots.certs),  # an empty list: trust nothing
            "allow_fetching": False,
            "revocation_mode": "hard-fail" if hard else "soft-fail",
            "retroactive_revinfo": True,
            "moment": moment,
            "crls": list(self.crls),
            "ocsps": [],
        }
        if self.dss is not None:
            return self.dss.as_validation_context(kwargs)
        return ValidationContext(**kwargs)


def archive_validation_context(data: bytes) -> ValidationContext:
    """For renewing the archive timestamp: the configured roots, hard-fail revocation from the
    file's DSS and the CRLs fetched from the allowed hosts (pyHanko then embeds what it used)."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except ValidationInfoReadingError:
        dss = None
    certs = [c for sig in reader.embedded_signatures for c in _certs_of(sig)]
    if dss is not None:
        certs += list(dss.load_certs())
    return _Sources(load_trust_roots(), dss, fetch_crls(certs)).context(timezone.now())


# --- one signature ---------------------------------------------------------------------------


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


def _cert_checks(check: SignatureCheck, status, soft, *, with_roots: bool) -> None:
    """``status``: the hard-fail result; ``soft``: a callable giving the same validation with
    soft-fail revocation, to tell "no revocation data" from "no chain" or "expired"."""
    check.intact = bool(status.intact)
    check.valid = bool(status.valid)
    check.signer = status.signing_cert.subject.human_friendly[:300]
    if not status.intact:
        check.problems.append(TAMPERED)
        return
    if not status.valid:
        check.problems.append("署名の暗号検証に失敗しました")
        return
    indic = status.trust_problem_indic
    check.trust_problem = indic.name if indic is not None else ""
    check.revoked = bool(status.revoked) or indic in _REVOKED_INDICS
    if check.revoked:
        check.problems.append(REVOKED)
        return
    check.trusted = bool(status.trusted) if with_roots else None
    if status.trusted:
        return
    if not with_roots:
        check.problems.append(NO_ROOTS)
        return
    if indic in _EXPIRED_INDICS:
        check.problems.append(EXPIRED)
        return
    relaxed = soft()
    relaxed_indic = relaxed.trust_problem_indic if relaxed is not None else None
    if relaxed is not None and relaxed.trusted:
        check.problems.append(NO_REVOCATION)
    elif relaxed is not None and (relaxed.revoked or relaxed_indic in _REVOKED_INDICS):
        check.revoked = True
        check.problems.append(REVOKED)
    elif relaxed_indic in _EXPIRED_INDICS:
        check.problems.append(EXPIRED)
    else:
        check.problems.append(UNTRUSTED)


def _check_approval(
    sig: EmbeddedPdfSignature,
    index: int,
    sources: _Sources,
    *,
    last: bool,
    moment: dt.datetime,
    ts_moment: dt.datetime,
) -> tuple[SignatureCheck, dt.datetime | None]:
    check = SignatureCheck(
        index=index, kind=APPROVAL, field=str(sig.field_name), validated_at=_iso(moment)
    )

    def run(hard: bool):
        return validate_pdf_signature(
            sig,
            signer_validation_context=sources.context(moment, hard=hard),
            ts_validation_context=sources.context(ts_moment, hard=hard),
        )

    status = run(True)
    relaxed: list = []

    def soft():
        if not relaxed:
            relaxed.append(run(False))
        return relaxed[0]

    with_roots = bool(sources.roots.certs)
    _cert_checks(check, status, soft, with_roots=with_roots)
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
        check.tsa_not_after = _iso(ts.signing_cert.not_valid_after)
        if ok:
            timestamp_at = ts.timestamp
        else:
            ts_check = SignatureCheck(index=index, kind=APPROVAL, field="")
            _cert_checks(ts_check, ts, lambda: soft().timestamp_validity, with_roots=with_roots)
            reason = "、".join(ts_check.problems) or "無効"
            check.problems.append(f"署名タイムスタンプ: {reason}")
    return check, timestamp_at


def _check_doc_timestamp(
    sig: EmbeddedPdfSignature, index: int, sources: _Sources, *, moment: dt.datetime
) -> tuple[SignatureCheck, dt.datetime | None]:
    check = SignatureCheck(
        index=index, kind=DOC_TIMESTAMP, field=str(sig.field_name), validated_at=_iso(moment)
    )
    status = validate_pdf_timestamp(sig, validation_context=sources.context(moment))

    def soft():
        return validate_pdf_timestamp(sig, validation_context=sources.context(moment, hard=False))

    _cert_checks(check, status, soft, with_roots=bool(sources.roots.certs))
    check.timestamp_at = _iso(status.timestamp)
    check.tsa_not_after = _iso(status.signing_cert.not_valid_after)
    _diff_checks(check, status, ModificationLevel.LTA_UPDATES)
    return check, status.timestamp


# --- the whole file --------------------------------------------------------------------------


def verify_pdf(
    data: bytes, *, roots: TrustRoots | None = None, at: dt.datetime | None = None
) -> Verification:
    """Validate the whole signature history of ``data`` at ``at`` (default: now); see the
    module docstring."""
    roots = roots if roots is not None else load_trust_roots()
    now = at or timezone.now()
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
    certs = [c for sig in signatures for c in _certs_of(sig)]
    if dss is not None:
        certs += list(dss.load_certs())
    sources = _Sources(roots, dss, fetch_crls(certs))
    last_approval = approvals[-1]
    counters = {APPROVAL: 0, DOC_TIMESTAMP: 0}
    indexes = []
    for sig in signatures:
        kind = APPROVAL if sig.sig_object_type == "/Sig" else DOC_TIMESTAMP
        counters[kind] += 1
        indexes.append((kind, counters[kind]))
    # From the newest to the oldest: each is checked at the time the next valid timestamp
    # proves it existed (the newest at the validation time).
    checks: list[SignatureCheck | None] = [None] * len(signatures)
    proof = now  # the earliest time a valid later timestamp proves
    covering: dt.datetime | None = None  # a valid timestamp over the last approval
    for position in range(len(signatures) - 1, -1, -1):
        sig = signatures[position]
        kind, index = indexes[position]
        try:
            if kind == APPROVAL:
                check, ts_at = _check_approval(
                    sig,
                    index,
                    sources,
                    last=position == last_approval,
                    moment=min(proof, now),
                    ts_moment=proof,
                )
                if ts_at is not None and check.problems:
                    # its own timestamp is valid: the signer's certificate at that time
                    again, _ = _check_approval(
                        sig,
                        index,
                        sources,
                        last=position == last_approval,
                        moment=ts_at,
                        ts_moment=proof,
                    )
                    if not again.problems:
                        check = again
            elif sig.sig_object_type == "/DocTimeStamp":
                check, ts_at = _check_doc_timestamp(sig, index, sources, moment=proof)
            else:
                raise ValueError(f"unknown signature type {sig.sig_object_type}")
        except Exception as exc:  # pyHanko refuses the structure itself
            logger.warning("signature %s cannot be validated: %s", position, exc)
            check = SignatureCheck(index=index, kind=kind, field=str(sig.field_name))
            check.problems.append(f"検証できません（{exc.__class__.__name__}）")
            ts_at = None
        checks[position] = check
        if ts_at is not None and not check.problems:
            proof = min(proof, ts_at)
            if position >= last_approval:
                covering = covering or ts_at
    # Nothing may follow the last signature: it must cover the whole file.
    last = checks[-1]
    if _appended(data, reader, signatures[-1]) and TAMPERED not in last.problems:
        last.problems.append(APPENDED)
    recorded = [asdict(c) | {"label": c.label} for c in checks]
    problems = [(c, p) for c in checks for p in c.problems]
    stamped = any(indexes[p][0] == DOC_TIMESTAMP for p in range(last_approval, len(checks)))
    if covering is None and not (stamped or checks[last_approval].timestamp != "none"):
        problems.append(
            (
                checks[last_approval],
                "最後の署名を覆う有効なタイムスタンプ（署名タイムスタンプまたは文書タイムスタンプ）"
                "がありません",
            )
        )
    final = checks[last_approval]
    long_term = any(
        indexes[p][0] == DOC_TIMESTAMP and not checks[p].problems
        for p in range(last_approval + 1, len(signatures))
    )
    newest = next((c for c in reversed(checks) if c.tsa_not_after), None)
    common = {
        "signer": final.signer,
        "signed_at": dt.datetime.fromisoformat(final.signed_at) if final.signed_at else None,
        "timestamp_at": covering,
        "checks": recorded,
        "long_term": long_term,
        "timestamp_expires_at": (
            dt.datetime.fromisoformat(newest.tsa_not_after) if newest else None
        ),
    }
    text = "、".join(f"{c.label}: {p}" for c, p in problems)
    if any(not p.endswith(tuple(_UNCONFIRMED)) for _, p in problems):
        return Verification(SignatureStatus.INVALID, f"無効（{text}）", **common)
    if problems:
        return Verification(
            SignatureStatus.UNCONFIRMED,
            f"未確認（{text}）。改ざん・追記は見つかりませんが、有効とは確認できていません。"
            + (roots.problem or ""),
            **common,
        )
    summary = f"署名{counters[APPROVAL]}件" + (
        f"・文書タイムスタンプ{counters[DOC_TIMESTAMP]}件" if counters[DOC_TIMESTAMP] else ""
    )
    form = "長期署名（文書タイムスタンプ）あり" if long_term else "長期署名はまだありません"
    return Verification(
        SignatureStatus.VALID,
        f"有効: {summary}を検証しました（改ざん・追記なし・信頼の起点まで検証・"
        f"失効なしを確認・タイムスタンプあり）。{form}。",
        **common,
    )


def _appended(data: bytes, reader: PdfFileReader, last_sig: EmbeddedPdfSignature) -> bool:
    """Bytes after the last signature that are not a complete revision (which the diff
    analysis then judges): anything after the final ``%%EOF``, or a final ``startxref`` that
    does not point past the last signature's signed bytes."""
    eof = data.rfind(b"%%EOF")
    if eof < 0 or data[eof + 5 :].strip(b"\r\n\t \x00"):
        return True
    if last_sig.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return False
    try:
        _, _, start2, len2 = (int(v) for v in last_sig.byte_range)
    except (TypeError, ValueError):
        return True
    return reader.last_startxref < start2 + len2


def _invalid(reason: str, *, checks: list[dict] | None = None) -> Verification:
    return Verification(SignatureStatus.INVALID, f"無効（{reason}）", checks=checks or [])
