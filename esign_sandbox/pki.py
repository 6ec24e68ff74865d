"""The sandbox's own CA, signer and TSA, created on first use, and PAdES signing with pyHanko
in the shape CloudSign uses.

Files live under ``settings.ESIGN_SANDBOX_PKI_DIR`` (default ``var/sandbox-pki/``): ``ca.pem`` is
what a verifier trusts (the portal's ``ESIGN_TRUST_ROOTS`` in development); ``ca.crl`` is the CA's
revocation list (published at ``/sandbox/cloudsign/pki/ca.crl`` and embedded in every signed PDF's
DSS, so nothing needs to be fetched). Private keys are written ``0600``.

What a signed PDF looks like (as CloudSign's 「長期署名」): one approval signature per step — the
document ID when the document is sent, the sender, then each recipient as they agree — of which
only the last carries a signature timestamp (PAdES B-T); then a DSS with the CA's certificates and
CRL (B-LT) and a document timestamp (B-LTA).
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
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

_lock = threading.Lock()
NAMES = ("ca", "signer", "tsa")
CRL_VALID_DAYS = 30
CRL_URL_PATH = "/sandbox/cloudsign/pki/ca.crl"


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


def _crl_distribution_point() -> x509.CRLDistributionPoints:
    url = settings.SITE_URL.rstrip("/") + CRL_URL_PATH
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


def _issue(subject: str, issuer_key, issuer_cert, *, tsa: bool):
    key = _new_key()
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(_crl_distribution_point(), critical=False)
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


def _make_crl(ca_key, ca_cert: x509.Certificate, revoked: list[int] = ()) -> bytes:
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
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now).build()
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
            .not_valid_after(now + dt.timedelta(days=7300))
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


def _refresh_crl(directory: Path) -> None:
    """Issue a new CRL when the current one is missing or within a day of its next update."""
    path = directory / "ca.crl"
    if path.exists():
        current = x509.load_der_x509_crl(path.read_bytes())
        next_update = current.next_update_utc
        if next_update and next_update > dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
            return
    ca_cert = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
    ca_key = serialization.load_pem_private_key((directory / "ca.key").read_bytes(), None)
    revoked = []
    if path.exists():
        revoked = [r.serial_number for r in x509.load_der_x509_crl(path.read_bytes())]
    path.write_bytes(_make_crl(ca_key, ca_cert, revoked))
    _materials.cache_clear()


def crl_der() -> bytes:
    return (ensure_pki() / "ca.crl").read_bytes()


class Materials:
    def __init__(self, directory: Path):
        self.ca = load_cert_from_pemder(str(directory / "ca.pem"))
        self.signer_cert = load_cert_from_pemder(str(directory / "signer.pem"))
        self.tsa_cert = load_cert_from_pemder(str(directory / "tsa.pem"))
        self.crl = (directory / "ca.crl").read_bytes()
        self.signer = signers.SimpleSigner(
            signing_cert=self.signer_cert,
            signing_key=load_private_key_from_pemder(str(directory / "signer.key"), None),
            cert_registry=SimpleCertificateStore.from_certs([self.ca]),
        )
        self.tsa = DummyTimeStamper(
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

    ``final``: the last step — the signature gets an RFC 3161 timestamp (B-T), then a DSS with
    the CA's, signer's and TSA's certificates and the CA's CRL is added (B-LT), then a document
    timestamp (B-LTA).
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
    )
    if not final:
        return out.getvalue()
    return add_long_term(out.getvalue(), m)


def add_long_term(data: bytes, m: Materials) -> bytes:
    """B-LT then B-LTA: the DSS (certificates and CRL), then a document timestamp."""
    from asn1crypto import crl as asn1_crl
    from pyhanko.sign.validation import DocumentSecurityStore

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
    return sign_step(data, field_name="CloudSignCertificate", reason=reason, final=True)


def ca_pem_path() -> Path:
    return ensure_pki() / "ca.pem"
