"""PAdES verification of signed PDFs shaped like CloudSign's (contracts.verify)."""

import pytest
from cryptography import x509 as cx509
from cryptography.hazmat.primitives.serialization import Encoding

from contracts.constants import SignatureStatus
from contracts.verify import TrustRoots, load_trust_roots, verify_pdf
from tests.contracts import pades
from tests.pdfs import make_pdf


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return pades.make_pki(tmp_path_factory.mktemp("pki-cloudsign"))


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory):
    return pades.make_pki(tmp_path_factory.mktemp("pki-other"))


@pytest.fixture
def roots(ca):
    return TrustRoots([ca.ca])


def test_pades_t_without_reachable_revocation_data_is_not_yet_confirmed(ca, roots):
    """What CloudSign hands out at conclusion, with its CRL unreachable: nothing wrong is
    found, but 有効 is not claimed either."""
    result = verify_pdf(pades.cloudsign_like(ca), roots=roots)
    assert result.status == SignatureStatus.UNCONFIRMED, result.detail
    assert result.detail.startswith("未確認（")
    assert "証明書の失効情報を確認できません" in result.detail
    assert not result.long_term


def test_five_signatures_last_timestamped_is_valid(ca, roots):
    result = verify_pdf(pades.cloudsign_like(ca, dss=True), roots=roots)
    assert result.status == SignatureStatus.VALID, result.detail
    assert result.detail.startswith("有効: 署名5件")
    assert "長期署名はまだありません" in result.detail and not result.long_term
    assert [c["field"] for c in result.checks] == list(pades.STEPS)
    assert all(c["intact"] and c["valid"] and c["trusted"] for c in result.checks)
    # only the last carries a signature timestamp; earlier ones are followed by signatures only
    assert [c["timestamp"] for c in result.checks] == ["none"] * 4 + ["valid"]
    assert {c["modification_level"] for c in result.checks[:4]} == {"FORM_FILLING"}
    assert result.checks[-1]["modification_level"] == "LTA_UPDATES"  # the DSS
    assert result.timestamp_at is not None
    assert "CloudSign Sandbox Signer" in result.signer


def test_with_dss_and_document_timestamp_is_valid(ca, roots):
    result = verify_pdf(pades.cloudsign_like(ca, doc_timestamp=True), roots=roots)
    assert result.status == SignatureStatus.VALID, result.detail
    assert "文書タイムスタンプ1件" in result.detail and result.long_term
    kinds = [c["kind"] for c in result.checks]
    assert kinds == ["signature"] * 5 + ["document_timestamp"]
    doc_ts = result.checks[-1]
    assert doc_ts["trusted"] and doc_ts["timestamp_at"]
    assert result.checks[4]["modification_level"] == "LTA_UPDATES"


def test_one_timestamped_signature_plus_document_timestamp_is_valid(ca, roots):
    """The issue's second case: formerly SignatureValidationError → 無効."""
    data = pades.cloudsign_like(ca, steps=("Recipient1",), doc_timestamp=True)
    assert verify_pdf(data, roots=roots).status == SignatureStatus.VALID


def test_document_timestamp_alone_covers_untimestamped_signatures(ca, roots):
    data = pades.cloudsign_like(ca, timestamp_last=False, doc_timestamp=True)
    result = verify_pdf(data, roots=roots)
    assert result.status == SignatureStatus.VALID, result.detail
    assert all(c["timestamp"] == "none" for c in result.checks[:5])


def test_no_timestamp_at_all_is_invalid(ca, roots):
    result = verify_pdf(pades.cloudsign_like(ca, timestamp_last=False, dss=True), roots=roots)
    assert result.status == SignatureStatus.INVALID
    assert "最後の署名を覆う有効なタイムスタンプ" in result.detail


def test_timestamp_on_an_earlier_signature_does_not_cover_the_last(ca, roots):
    data = pades.cloudsign_like(ca, timestamp_last=False, timestamped=("Sender",), dss=True)
    result = verify_pdf(data, roots=roots)
    assert result.status == SignatureStatus.INVALID
    assert "最後の署名を覆う" in result.detail


def test_amount_altered_in_the_signed_bytes_is_invalid(ca, roots):
    data = pades.cloudsign_like(ca, doc_timestamp=True)
    assert data.count(b"8000000 JPY") == 1
    tampered = data.replace(b"8000000 JPY", b"9000000 JPY")
    result = verify_pdf(tampered, roots=roots)
    assert result.status == SignatureStatus.INVALID
    assert result.detail.startswith("無効（")
    assert "署名1（DocumentID）: 署名後に内容が改ざんされています" in result.detail
    assert not any(c["intact"] for c in result.checks)


def test_content_added_after_the_last_signature_is_invalid(ca, roots):
    data = pades.append_page_text(pades.cloudsign_like(ca))
    result = verify_pdf(data, roots=roots)
    assert result.status == SignatureStatus.INVALID
    assert "署名後に許されない変更があります" in result.detail
    # the cryptography of each signature is intact: it is the later update that is refused
    assert all(c["intact"] for c in result.checks)


def test_content_added_after_the_document_timestamp_is_invalid(ca, roots):
    data = pades.append_page_text(pades.cloudsign_like(ca, doc_timestamp=True))
    result = verify_pdf(data, roots=roots)
    assert result.status == SignatureStatus.INVALID
    assert "文書タイムスタンプ1" in result.detail


def test_no_trust_roots_is_never_valid(ca):
    data = pades.cloudsign_like(ca, doc_timestamp=True)
    result = verify_pdf(
        data, roots=TrustRoots([], "信頼の起点（ESIGN_TRUST_ROOTS）が設定されていません。")
    )
    assert result.status == SignatureStatus.UNCONFIRMED
    assert result.detail.startswith("未確認（")
    assert "信頼の起点が設定されていないため" in result.detail
    assert all(c["trusted"] is None for c in result.checks)


def test_no_trust_roots_still_catches_tampering(ca):
    tampered = pades.cloudsign_like(ca).replace(b"8000000 JPY", b"9000000 JPY")
    assert verify_pdf(tampered, roots=TrustRoots([])).status == SignatureStatus.INVALID


def test_signed_under_another_root_is_invalid(other_ca, roots):
    result = verify_pdf(pades.cloudsign_like(other_ca, doc_timestamp=True), roots=roots)
    assert result.status == SignatureStatus.INVALID
    assert "証明書が信頼の起点につながりません" in result.detail


def test_unsigned_and_unreadable_pdfs_are_invalid(roots):
    assert verify_pdf(make_pdf(), roots=roots).detail == "無効（電子署名がありません）"
    result = verify_pdf(b"%PDF-1.7\nnot really\n%%EOF", roots=roots)
    assert result.status == SignatureStatus.INVALID


def test_trust_roots_from_the_pem_bundle_setting(settings, ca, tmp_path):
    bundle = tmp_path / "roots.pem"
    pem = cx509.load_der_x509_certificate(ca.ca.dump()).public_bytes(Encoding.PEM)
    bundle.write_bytes(pem + pem)
    settings.ESIGN_TRUST_ROOTS = str(bundle)
    assert len(load_trust_roots().certs) == 2
    assert verify_pdf(pades.cloudsign_like(ca, dss=True)).status == SignatureStatus.VALID
    settings.ESIGN_TRUST_ROOTS = str(tmp_path / "missing.pem")
    assert verify_pdf(pades.cloudsign_like(ca, dss=True)).status == SignatureStatus.UNCONFIRMED
    settings.ESIGN_TRUST_ROOTS = ""
    settings.ESIGN_SANDBOX_ENABLED = False
    roots = load_trust_roots()
    assert roots.certs == [] and "ESIGN_TRUST_ROOTS" in roots.problem


def test_inspect_command_shows_chains_and_outcome(ca, tmp_path, settings):
    import hashlib
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "signed.pdf"
    path.write_bytes(pades.cloudsign_like(ca, steps=("Sender", "Recipient1"), doc_timestamp=True))
    pem = cx509.load_der_x509_certificate(ca.ca.dump()).public_bytes(Encoding.PEM)
    (tmp_path / "roots.pem").write_bytes(pem)
    settings.ESIGN_TRUST_ROOTS = str(tmp_path / "roots.pem")
    out = StringIO()
    call_command("esign_inspect_pdf", str(path), stdout=out)
    text = out.getvalue()
    assert "1. 署名 Sender" in text and "3. 文書タイムスタンプ" in text
    assert hashlib.sha256(ca.ca.dump()).hexdigest().upper() in text
    assert "CloudSign Sandbox TSA" in text
    assert "検証結果: 有効: 署名2件・文書タイムスタンプ1件" in text


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pki-expiring")
    return directory, pades.make_pki(directory)


def test_signer_certificate_expired_since_the_timestamp_is_still_valid(ca_dir):
    """Years later (the nightly re-verification): the signer's certificate has expired, but a
    valid timestamp proves the signatures existed while it was valid."""
    import datetime as dt

    directory, m = ca_dir
    expired = pades.signer_expired_since(directory, m, hours=1)
    back_then = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)  # the TSA's own cert is valid
    pades.with_tsa_time(expired, back_then)
    data = pades.cloudsign_like(expired, steps=("Sender", "Recipient1", "Recipient2"), dss=True)
    result = verify_pdf(data, roots=TrustRoots([m.ca]))
    assert result.status == SignatureStatus.VALID, result.detail
    assert {c["validated_at"] for c in result.checks} == {back_then.isoformat()}
    assert result.signer.endswith("Expired Signer")


def test_signer_certificate_expired_before_the_timestamp_is_invalid(ca_dir):
    directory, m = ca_dir
    expired = pades.signer_expired_since(directory, m, hours=1)
    data = pades.cloudsign_like(expired, steps=("Sender", "Recipient1"), dss=True)  # stamped now
    result = verify_pdf(data, roots=TrustRoots([m.ca]))
    assert result.status == SignatureStatus.INVALID
    # the reason is the expiry (not a misleading "no chain of trust")
    assert "署名1（Sender）: 証明書の有効期限が切れています" in result.detail
    assert "信頼の起点" not in result.detail


def test_signer_certificate_expired_without_any_timestamp_is_invalid(ca_dir):
    directory, m = ca_dir
    expired = pades.signer_expired_since(directory, m, hours=1)
    data = pades.cloudsign_like(expired, steps=("Sender",), timestamp_last=False, dss=True)
    result = verify_pdf(data, roots=TrustRoots([m.ca]))
    assert result.status == SignatureStatus.INVALID
    assert "署名1（Sender）: 証明書の有効期限が切れています" in result.detail
    assert "最後の署名を覆う有効なタイムスタンプ" in result.detail


def test_bytes_appended_after_the_last_signature_are_invalid(ca, roots):
    data = pades.cloudsign_like(ca, doc_timestamp=True)
    for tail in (b"\n% appended by someone\n", b"\n1 0 obj\n(x)\nendobj\n"):
        result = verify_pdf(data + tail, roots=roots)
        assert result.status == SignatureStatus.INVALID, tail
        assert "署名されていないデータが追記されています" in result.detail
