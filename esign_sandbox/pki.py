"""The sandbox's own CA, signer and TSA, created on first use, and PAdES signing with pyHanko
in the shape CloudSign uses.

Files live under ``settings.ESIGN_SANDBOX_PKI_DIR`` (default ``var/sandbox-pki/``): ``ca.pem`` is
what a verifier trusts (the portal's ``ESIGN_TRUST_ROOTS`` in development); ``ca.crl`` is the CA's
revocation list, published at ``/sandbox/cloudsign/pki/ca.crl`` (each certificate's CRL
distribution point) and answered per certificate by the OCSP responder at
``/sandbox/cloudsign/pki/ocsp`` (each certificate's AIA). Private keys are written ``0600``.

What a signed PDF looks like (as CloudSign's 「長期署名」): one approval signature per step — the
document ID when the document is sent, the sender, then each recipient as they agree — of which
only the last carries a signature timestamp (PAdES B-T, what CloudSign hands out at conclusion);
**later** (``ESIGN_SANDBOX_LONG_TERM_DELAY_SECONDS``, 24 h by default) a DSS with the CA's
certificates and CRL (B-LT) and a document timestamp (B-LTA) are appended.

The sandbox also runs the city's archive TSA (RFC 3161 over HTTP at ``/sandbox/cloudsign/pki/tsa``)
with its own certificate ``archive-tsa``, renewed (a new key) when less than
``ESIGN_SANDBOX_TSA_ROLLOVER_DAYS`` of its validity remain, as real TSAs roll their keys.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

_lock = threading.Lock()
NAMES = ("ca", "signer", "tsa")
CRL_VALID_DAYS = 30
CRL_URL_PATH = "/sandbox/cloudsign/pki/ca.crl"
OCSP_URL_PATH = "/sandbox/cloudsign/pki/ocsp"
CERT_VALID_DAYS = 3650  # signer and TSA certificates: ten years, as the CA's issued ones
CA_VALID_DAYS = 7300
# Room kept in /Contents for the CMS signature, in hex digits (pyHanko's unit). A fixed size, as a
# signing service reserves, spares pyHanko a dry-run signature per step (about a quarter of the
# step): the sandbox's plain approval signature takes ~5,400, the last one with its signature
# timestamp ~11,300.
SIGNATURE_RESERVED = 8192
SIGNATURE_WITH_TIMESTAMP_RESERVED = 16384


def pki_dir() -> Path:
    return Path(settings.ESIGN_SANDBOX_PKI_DIR)


def _new_key():
    # RSA: pyHanko's built-in timestamper signs with RSA only.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CloudSign Sandbox (local)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def write_private(path: Path, data: bytes) -> None:
    """Write a secret readable by its owner only (0600), whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)


def _write(path: Path, key, cert: x509.Certificate) -> None:
    write_private(
        path.with_suffix(".key"),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    path.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _base_url() -> str:
    """Where the sandbox is reached (``ESIGN_SANDBOX_PUBLIC_URL``, else ``SITE_URL``)."""
    return (getattr(settings, "ESIGN_SANDBOX_PUBLIC_URL", "") or settings.SITE_URL).rstrip("/")


def _crl_distribution_point() -> x509.CRLDistributionPoints:
    url = _base_url() + CRL_URL_PATH
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
        ]
    )


def _authority_information_access() -> x509.AuthorityInformationAccess:
    url = _base_url() + OCSP_URL_PATH
    return x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(url)
            )
        ]
    )


def _issue(subject: str, issuer_key, issuer_cert, *, tsa: bool):
    key = _new_key()
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    not_after = min(now + dt.timedelta(days=CERT_VALID_DAYS), issuer_cert.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_crl_distribution_point(), critical=False)
        .add_extension(_authority_information_access(), critical=False)
    )
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    return key, builder.sign(issuer_key, hashes.SHA256())


def _make_crl(
    ca_key, ca_cert: x509.Certificate, revoked: list[tuple[int, dt.datetime]] = ()
) -> bytes:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now)
        .next_update(now + dt.timedelta(days=CRL_VALID_DAYS))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _fix_permissions(directory: Path) -> None:
    for key in directory.glob("*.key"):
        if key.stat().st_mode & 0o077:
            os.chmod(key, 0o600)


def ensure_pki() -> Path:
    """Create the CA, signer, TSA and CRL once; later calls find them on disk (and keep the
    keys 0600 and the CRL fresh)."""
    directory = pki_dir()
    with _lock:
        if all((directory / f"{n}.pem").exists() for n in NAMES):
            _fix_permissions(directory)
            _refresh_crl(directory)
            return directory
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
        ca_key = _new_key()
        now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(_name("CloudSign Sandbox Root CA"))
            .issuer_name(_name("CloudSign Sandbox Root CA"))
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=CA_VALID_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        signer_key, signer_cert = _issue("CloudSign Sandbox Signer", ca_key, ca_cert, tsa=False)
        tsa_key, tsa_cert = _issue("CloudSign Sandbox TSA", ca_key, ca_cert, tsa=True)
        _write(directory / "signer", signer_key, signer_cert)
        _write(directory / "tsa", tsa_key, tsa_cert)
        (directory / "ca.crl").write_bytes(_make_crl(ca_key, ca_cert))
        _write(directory / "ca", ca_key, ca_cert)  # last: its presence means "complete"
        _materials.cache_clear()
        return directory


def _ca(directory: Path):
    ca_cert = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
    ca_key = serialization.load_pem_private_key((directory / "ca.key").read_bytes(), None)
    return ca_key, ca_cert


def _revoked(path: Path) -> list[tuple[int, dt.datetime]]:
    if not path.exists():
        return []
    return [
        (r.serial_number, r.revocation_date_utc) for r in x509.load_der_x509_crl(path.read_bytes())
    ]


def _refresh_crl(directory: Path, *, force: bool = False) -> None:
    """Issue a new CRL when the current one is missing, is not current (the clock is before
    its last update or within a day of its next update), or ``force``."""
    path = directory / "ca.crl"
    now = dt.datetime.now(dt.UTC)
    if path.exists() and not force:
        current = x509.load_der_x509_crl(path.read_bytes())
        next_update = current.next_update_utc
        if (
            next_update
            and next_update > now + dt.timedelta(days=1)
            and current.last_update_utc <= now
        ):
            return
    ca_key, ca_cert = _ca(directory)
    path.write_bytes(_make_crl(ca_key, ca_cert, _revoked(path)))
    _materials.cache_clear()


def revoke(serial: int) -> None:
    """A sandbox fault: the CA revokes a certificate (CRL and OCSP say so from now on)."""
    directory = ensure_pki()
    with _lock:
        path = directory / "ca.crl"
        revoked = [r for r in _revoked(path) if r[0] != serial]
        revoked.append((serial, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)))
        ca_key, ca_cert = _ca(directory)
        path.write_bytes(_make_crl(ca_key, ca_cert, revoked))
        _materials.cache_clear()


def revoke_signer() -> int:
    """Revoke the sandbox's signing certificate; returns its serial number."""
    serial = x509.load_pem_x509_certificate(
        (ensure_pki() / "signer.pem").read_bytes()
    ).serial_number
    revoke(serial)
    return serial


def ocsp_response(request_der: bytes) -> bytes:
    """The CA's OCSP responder (RFC 6960, signed by the CA itself): good or revoked, from the
    same list as the CRL; unknown for a certificate the CA did not issue."""
    from cryptography.x509 import ocsp

    directory = ensure_pki()
    try:
        request = ocsp.load_der_ocsp_request(request_der)
    except ValueError:
        return ocsp.OCSPResponseBuilder.build_unsuccessful(
            ocsp.OCSPResponseStatus.MALFORMED_REQUEST
        ).public_bytes(serialization.Encoding.DER)
    ca_key, ca_cert = _ca(directory)
    serial = request.serial_number
    issued = {
        x509.load_pem_x509_certificate(p.read_bytes()).serial_number: p
        for p in directory.glob("*.pem")
        if p.name != "ca.pem"
    }
    revoked = dict(_revoked(directory / "ca.crl"))
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    if serial in issued:
        cert = x509.load_pem_x509_certificate(issued[serial].read_bytes())
    else:
        cert = ca_cert  # stands in for the CertID of an unknown certificate
    if serial in revoked:
        status, when, reason = ocsp.OCSPCertStatus.REVOKED, revoked[serial], None
    elif serial in issued:
        status, when, reason = ocsp.OCSPCertStatus.GOOD, None, None
    else:
        status, when, reason = ocsp.OCSPCertStatus.UNKNOWN, None, None
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=cert,
            issuer=ca_cert,
            algorithm=request.hash_algorithm,
            cert_status=status,
            this_update=now,
            next_update=now + dt.timedelta(days=1),
            revocation_time=when,
            revocation_reason=reason,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, ca_cert)
    )
    for ext in request.extensions:
        if isinstance(ext.value, x509.OCSPNonce):
            builder = builder.add_extension(ext.value, critical=False)
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def archive_tsa():
    """The city's archive TSA (a DummyTimeStamper answering RFC 3161 requests over HTTP): its
    certificate is issued on first use and rolled over before it expires."""
    directory = ensure_pki()
    path = directory / "archive-tsa.pem"
    margin = dt.timedelta(days=settings.ESIGN_SANDBOX_TSA_ROLLOVER_DAYS)
    with _lock:
        current = x509.load_pem_x509_certificate(path.read_bytes()) if path.exists() else None
        if current is None or current.not_valid_after_utc - margin < dt.datetime.now(dt.UTC):
            if current is not None:  # keep the old certificate: OCSP still answers for it
                path.rename(directory / f"archive-tsa-{current.serial_number}.pem")
            ca_key, ca_cert = _ca(directory)
            key, cert = _issue("Ashikaga Archive TSA (sandbox)", ca_key, ca_cert, tsa=True)
            _write(directory / "archive-tsa", key, cert)
    ca = load_cert_from_pemder(str(directory / "ca.pem"))
    return SandboxTimeStamper(
        tsa_cert=load_cert_from_pemder(str(path)),
        tsa_key=load_private_key_from_pemder(str(directory / "archive-tsa.key"), None),
        certs_to_embed=SimpleCertificateStore.from_certs([ca]),
    )


def timestamp_response(request_der: bytes) -> bytes:
    from asn1crypto import tsp

    request = tsp.TimeStampReq.load(request_der)
    return archive_tsa().request_tsa_response(request).dump()


def crl_der() -> bytes:
    return (ensure_pki() / "ca.crl").read_bytes()


class _ParsedKey:
    """pyHanko's SimpleSigner and DummyTimeStamper parse their RSA key again for every signature,
    and cryptography checks an RSA key in full when it is parsed (~40 ms, a hundred times the
    signature itself): the sandbox signs every file of every document, so each key is parsed
    once here."""

    def __init__(self) -> None:
        self._parsed: dict[bytes, rsa.RSAPrivateKey] = {}

    def __call__(self, key_info) -> rsa.RSAPrivateKey:
        der = key_info.dump()
        key = self._parsed.get(der)
        if key is None:
            key = serialization.load_der_private_key(der, password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise TypeError("the sandbox signs with RSA keys only")
            self._parsed[der] = key
        return key


_parsed_key = _ParsedKey()


class SandboxSigner(signers.SimpleSigner):
    """A SimpleSigner whose RSA PKCS#1 v1.5 signatures reuse the parsed key."""

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if mechanism.signature_algo != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        return _parsed_key(self.signing_key).sign(
            data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm)
        )


class SandboxTimeStamper(DummyTimeStamper):
    """DummyTimeStamper with the parsed key reused (its _sign_tst_info, key parsing aside)."""

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt):
        from asn1crypto import cms, core
        from pyhanko.sign.general import as_signing_certificate, simple_cms_attribute

        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
                simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        signature = _parsed_key(self.tsa_key).sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs


class Materials:
    def __init__(self, directory: Path):
        self.ca = load_cert_from_pemder(str(directory / "ca.pem"))
        self.signer_cert = load_cert_from_pemder(str(directory / "signer.pem"))
        self.tsa_cert = load_cert_from_pemder(str(directory / "tsa.pem"))
        self.crl = (directory / "ca.crl").read_bytes()
        self.signer = SandboxSigner(
            signing_cert=self.signer_cert,
            signing_key=load_private_key_from_pemder(str(directory / "signer.key"), None),
            cert_registry=SimpleCertificateStore.from_certs([self.ca]),
        )
        self.tsa = SandboxTimeStamper(
            tsa_cert=self.tsa_cert,
            tsa_key=load_private_key_from_pemder(str(directory / "tsa.key"), None),
            certs_to_embed=SimpleCertificateStore.from_certs([self.ca]),
        )


@lru_cache(maxsize=4)
def _materials(directory: str) -> Materials:
    return Materials(Path(directory))


def materials() -> Materials:
    return _materials(str(ensure_pki()))


def sign_step(
    data: bytes,
    *,
    field_name: str,
    reason: str,
    name: str = "",
    final: bool = False,
    materials_: Materials | None = None,
) -> bytes:
    """Add one approval signature in a new field (an incremental update).

    ``final``: the last step — the signature gets an RFC 3161 timestamp (B-T). The long-term
    form (``add_long_term``) comes later, as at CloudSign.
    """
    m = materials_ or materials()
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        name=name or None,
        location="CloudSign Sandbox",
    )
    out = signers.sign_pdf(
        writer,
        meta,
        signer=m.signer,
        timestamper=m.tsa if final else None,
        existing_fields_only=False,
        bytes_reserved=SIGNATURE_WITH_TIMESTAMP_RESERVED if final else SIGNATURE_RESERVED,
    )
    return out.getvalue()


def add_long_term(data: bytes, m: Materials | None = None) -> bytes:
    """B-LT then B-LTA: the DSS (certificates and CRL), then a document timestamp."""
    from asn1crypto import crl as asn1_crl
    from pyhanko.sign.validation import DocumentSecurityStore

    m = m or materials()
    out = io.BytesIO(data)
    DocumentSecurityStore.add_dss(
        out,
        None,
        certs=[m.ca, m.signer_cert, m.tsa_cert],
        crls=[asn1_crl.CertificateList.load(m.crl)],
        force_write=True,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(out.getvalue()), strict=False)
    return (
        signers.PdfTimeStamper(m.tsa, field_name="CloudSign-DocumentTimestamp")
        .timestamp_pdf(writer, "sha256")
        .getvalue()
    )


def sign_pdf(data: bytes, *, reason: str = "クラウドサインによる合意締結") -> bytes:
    """A one-step PAdES B-LTA signature (used for the 合意締結証明書)."""
    signed = sign_step(data, field_name="CloudSignCertificate", reason=reason, final=True)
    return add_long_term(signed)


def ca_pem_path() -> Path:
    return ensure_pki() / "ca.pem"
