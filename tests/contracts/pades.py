"""PDFs shaped like CloudSign's signed output, built with pyHanko under a throw-away PKI.

CloudSign (help pages 「長期署名について」「電子署名とタイムスタンプを確認する」): one approval
signature per step — document ID, sender inputs, sender, each recipient — only the last with a
signature timestamp, then (long-term signature) a DSS and a document timestamp.
"""

from __future__ import annotations

import io
from pathlib import Path

from asn1crypto import crl as asn1_crl
from django.test import override_settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import DocumentSecurityStore
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from esign_sandbox import pki

STEPS = ("DocumentID", "SenderInputs", "Sender", "Recipient1", "Recipient2")


def make_pki(directory: Path) -> pki.Materials:
    """A CA, signer, TSA and CRL in ``directory`` (the sandbox's generator, another folder)."""
    with override_settings(ESIGN_SANDBOX_PKI_DIR=str(directory)):
        pki.ensure_pki()
    return pki.Materials(directory)


def contract_pdf(amount: str = "8000000") -> bytes:
    """An uncompressed contract so that a test can alter the amount in place."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=0)
    c.setFont("Helvetica", 12)
    c.drawString(72, 760, "Construction contract R7-KE-0001")
    c.drawString(72, 740, f"Contract amount: {amount} JPY")
    c.showPage()
    c.save()
    return buf.getvalue()


def sign(data: bytes, m: pki.Materials, field_name: str, *, timestamp: bool = False) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=field_name,
    )
    return signers.sign_pdf(
        writer, meta, signer=m.signer, timestamper=m.tsa if timestamp else None
    ).getvalue()


def add_dss(data: bytes, m: pki.Materials) -> bytes:
    """B-LT: the CA's certificates and CRL in the DSS (revocation known offline)."""
    out = io.BytesIO(data)
    DocumentSecurityStore.add_dss(
        out,
        None,
        certs=[m.ca, m.signer_cert, m.tsa_cert],
        crls=[asn1_crl.CertificateList.load(m.crl)],
        force_write=True,
    )
    return out.getvalue()


def add_dss_and_doc_timestamp(data: bytes, m: pki.Materials) -> bytes:
    """B-LT then B-LTA: the CA's certificates and CRL in the DSS, then a document timestamp."""
    writer = IncrementalPdfFileWriter(io.BytesIO(add_dss(data, m)))
    return signers.PdfTimeStamper(m.tsa).timestamp_pdf(writer, "sha256").getvalue()


def cloudsign_like(
    m: pki.Materials,
    *,
    steps: tuple[str, ...] = STEPS,
    timestamp_last: bool = True,
    doc_timestamp: bool = False,
    dss: bool = False,
    timestamped: tuple[str, ...] = (),
    data: bytes | None = None,
) -> bytes:
    """``dss``: PAdES-T plus the revocation data (B-LT) without a document timestamp."""
    data = data if data is not None else contract_pdf()
    for i, step in enumerate(steps):
        last = i == len(steps) - 1
        data = sign(data, m, step, timestamp=(last and timestamp_last) or step in timestamped)
    if doc_timestamp:
        data = add_dss_and_doc_timestamp(data, m)
    elif dss:
        data = add_dss(data, m)
    return data


def append_page_text(data: bytes, text: str = "Contract amount: 9000000 JPY") -> bytes:
    """An incremental update after signing that draws new text on the page."""
    from pyhanko.pdf_utils import generic

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    stream = generic.StreamObject(stream_data=f"BT /F1 12 Tf 72 700 Td ({text}) Tj ET".encode())
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signer_expired_since(directory: Path, m: pki.Materials, *, hours: int = 1) -> pki.Materials:
    """The same CA, with a signer certificate that was valid until ``hours`` ago — as every
    CloudSign PDF's will be, years after signing."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    ca_key = serialization.load_pem_private_key((directory / "ca.key").read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "Expired Signer")])
        )
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=30))
        .not_valid_after(now - dt.timedelta(hours=hours))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
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
        .sign(ca_key, hashes.SHA256())
    )
    (directory / "expired.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pki.write_private(
        directory / "expired.key",
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    from pyhanko.keys import load_private_key_from_pemder

    expired = pki.Materials(directory)
    expired.signer = pki.SandboxSigner(
        signing_cert=load_cert_from_pemder(str(directory / "expired.pem")),
        signing_key=load_private_key_from_pemder(str(directory / "expired.key"), None),
        cert_registry=SimpleCertificateStore.from_certs([m.ca]),
    )
    return expired


def with_tsa_time(m: pki.Materials, when) -> pki.Materials:
    """The same materials, with a TSA that stamps ``when`` (a timestamp made back then)."""
    m.tsa = pki.SandboxTimeStamper(
        tsa_cert=m.tsa.tsa_cert,
        tsa_key=m.tsa.tsa_key,
        certs_to_embed=m.tsa.certs_to_embed,
        fixed_dt=when,
    )
    return m
