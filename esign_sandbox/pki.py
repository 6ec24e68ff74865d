"""The sandbox's own CA, signer and TSA, created on first use, and PAdES signing with pyHanko.

Files live under ``settings.ESIGN_SANDBOX_PKI_DIR`` (default ``var/sandbox-pki/``): ``ca.pem`` is
what a verifier trusts (the portal's ``ESIGN_TRUST_ROOTS`` in development).
"""

from __future__ import annotations

import datetime as dt
import io
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


def _write(path: Path, key, cert: x509.Certificate) -> None:
    path.with_suffix(".key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


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


def ensure_pki() -> Path:
    """Create the CA, signer and TSA once; later calls find them on disk."""
    directory = pki_dir()
    with _lock:
        if all((directory / f"{n}.pem").exists() for n in NAMES):
            return directory
        directory.mkdir(parents=True, exist_ok=True)
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
        _write(directory / "ca", ca_key, ca_cert)  # last: its presence means "complete"
        _materials.cache_clear()
        return directory


@lru_cache(maxsize=4)
def _materials(directory: str):
    d = Path(directory)
    ca = load_cert_from_pemder(str(d / "ca.pem"))
    store = SimpleCertificateStore.from_certs([ca])
    signer = signers.SimpleSigner(
        signing_cert=load_cert_from_pemder(str(d / "signer.pem")),
        signing_key=load_private_key_from_pemder(str(d / "signer.key"), passphrase=None),
        cert_registry=store,
    )
    tsa = DummyTimeStamper(
        tsa_cert=load_cert_from_pemder(str(d / "tsa.pem")),
        tsa_key=load_private_key_from_pemder(str(d / "tsa.key"), passphrase=None),
        certs_to_embed=SimpleCertificateStore.from_certs([ca]),
    )
    return signer, tsa


def ca_pem_path() -> Path:
    return ensure_pki() / "ca.pem"


def sign_pdf(data: bytes, *, reason: str = "クラウドサインによる合意締結") -> bytes:
    """Sign ``data`` as PAdES (B-T: signature plus an RFC 3161 timestamp)."""
    signer, tsa = _materials(str(ensure_pki()))
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name="CloudSignSandbox",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location="CloudSign Sandbox",
    )
    out = signers.sign_pdf(writer, meta, signer=signer, timestamper=tsa)
    return out.getvalue()
