"""The sandbox signs like CloudSign: one signature per step, the last timestamped, then a DSS
and a document timestamp — PAdES B-LTA that pyHanko's AdES validation accepts offline."""

import asyncio
import io
import os
import stat

import pytest
from asn1crypto import crl as asn1_crl
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation import DocumentSecurityStore
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager

from contracts.constants import SignatureStatus
from contracts.verify import TrustRoots, verify_pdf
from esign_sandbox import pki, testing
from tests.esign.helpers import prepared

pytestmark = pytest.mark.django_db(transaction=True)


def lta_result(data: bytes, ca):
    """ETSI EN 319 102-1 LTA validation of the final approval signature: CA trusted, revocation
    data required and taken only from the file (no fetching)."""
    reader = PdfFileReader(io.BytesIO(data))
    final = [s for s in reader.embedded_signatures if s.sig_object_type == "/Sig"][-1]
    policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=[ca]),
        revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
    )
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    return asyncio.run(ades_lta_validation(final, spec))


def concluded(cs, recipients=2):
    doc, f, _, _ = prepared(cs, recipients=recipients)
    cs.send_document(doc.id)
    testing.agree_all(doc.id)
    return doc, cs.download_file(doc.id, f.id), cs.download_certificate(doc.id)


def test_signed_pdf_is_pades_t_at_conclusion_and_long_term_a_day_later(cs):
    doc, signed, _ = concluded(cs)
    reader = PdfFileReader(io.BytesIO(signed))
    sigs = reader.embedded_signatures
    assert [s.field_name for s in sigs] == [
        "CloudSign-DocumentID",
        "CloudSign-Sender",
        "CloudSign-Recipient1",
        "CloudSign-Recipient2",
    ]
    # at conclusion: PAdES-T, no DSS, no document timestamp
    assert [s.sig_object_type for s in sigs] == ["/Sig"] * 4
    assert b"/DSS" not in signed
    # only the final approval signature carries a signature timestamp
    has_ts = [
        "signature_time_stamp_token" in str(s.signer_info["unsigned_attrs"].native or {})
        for s in sigs
    ]
    assert has_ts == [False, False, False, True]
    ca = load_cert_from_pemder(str(pki.ca_pem_path()))
    # revocation is confirmed over HTTP from the sandbox CA's CRL: 有効, not yet long-term
    at_conclusion = verify_pdf(signed, roots=TrustRoots([ca]))
    assert at_conclusion.status == SignatureStatus.VALID, at_conclusion.detail
    assert not at_conclusion.long_term
    # not before the delay (24 h by default) ...
    file_id = cs.get_document(doc.id).files[0].id
    assert cs.download_file(doc.id, file_id) == signed
    # ... then the same bytes plus a DSS and a document timestamp
    assert testing.add_long_term(doc.id)
    assert not testing.add_long_term(doc.id)  # once
    first, signed = signed, cs.download_file(doc.id, file_id)
    assert signed.startswith(first) and len(signed) > len(first)
    reader = PdfFileReader(io.BytesIO(signed))
    sigs = reader.embedded_signatures
    assert [s.sig_object_type for s in sigs] == ["/Sig"] * 4 + ["/DocTimeStamp"]
    # B-LT: the DSS holds the CA's certificate and its CRL
    ca = load_cert_from_pemder(str(pki.ca_pem_path()))
    dss = DocumentSecurityStore.read_dss(reader)
    assert ca.dump() in [c.dump() for c in dss.load_certs()]
    assert len(dss.crls) >= 1
    crl = asn1_crl.CertificateList.load(pki.crl_der())
    assert crl.issuer == ca.subject
    # B-LTA in pyHanko's AdES validation: passed, with the document timestamp as evidence record
    result = lta_result(signed, ca)
    assert result.ades_subindic == AdESPassed.OK, result
    assert result.oldest_evidence_record_timestamp is not None
    assert result.signature_timestamp_status.ades_subindic == AdESPassed.OK
    # and the portal's verifier agrees
    outcome = verify_pdf(signed, roots=TrustRoots([ca]))
    assert outcome.status == SignatureStatus.VALID, outcome.detail


def test_certificate_pdf_is_signed_the_same_way(cs):
    _, _, certificate = concluded(cs, recipients=1)
    ca = load_cert_from_pemder(str(pki.ca_pem_path()))
    sigs = PdfFileReader(io.BytesIO(certificate)).embedded_signatures
    assert [s.sig_object_type for s in sigs] == ["/Sig", "/DocTimeStamp"]
    assert lta_result(certificate, ca).ades_subindic == AdESPassed.OK
    assert verify_pdf(certificate, roots=TrustRoots([ca])).status == SignatureStatus.VALID


def test_without_the_ca_trusted_lta_validation_does_not_pass(cs, tmp_path, settings):
    _, signed, _ = concluded(cs, recipients=1)
    other = tmp_path / "other"
    settings.ESIGN_SANDBOX_PKI_DIR = str(other)
    other_ca = load_cert_from_pemder(str(pki.ca_pem_path()))
    assert lta_result(signed, other_ca).ades_subindic != AdESPassed.OK


def test_private_keys_are_owner_only(settings, tmp_path):
    settings.ESIGN_SANDBOX_PKI_DIR = str(tmp_path / "pki")
    directory = pki.ensure_pki()
    keys = sorted(p.name for p in directory.glob("*.key"))
    assert keys == ["ca.key", "signer.key", "tsa.key"]
    for key in directory.glob("*.key"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    # a key left world-readable by an older version is tightened on the next start
    os.chmod(directory / "ca.key", 0o644)
    pki.ensure_pki()
    assert stat.S_IMODE((directory / "ca.key").stat().st_mode) == 0o600


def test_ca_and_crl_are_published(sandbox_url):
    import requests
    from cryptography import x509

    crl = requests.get(f"{sandbox_url}/pki/ca.crl", timeout=10)
    assert crl.status_code == 200 and crl.headers["Content-Type"] == "application/pkix-crl"
    parsed = x509.load_der_x509_crl(crl.content)
    ca = x509.load_pem_x509_certificate(
        requests.get(f"{sandbox_url}/pki/ca.pem", timeout=10).content
    )
    assert parsed.issuer == ca.subject and parsed.is_signature_valid(ca.public_key())
    signer = x509.load_pem_x509_certificate((pki.ensure_pki() / "signer.pem").read_bytes())
    points = signer.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value.endswith("/sandbox/cloudsign/pki/ca.crl")
