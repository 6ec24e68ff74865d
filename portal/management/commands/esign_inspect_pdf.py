"""Show a signed PDF's signatures, their certificate chains and the verification outcome, so that
the city can see which trust roots a real CloudSign PDF needs (ESIGN_TRUST_ROOTS)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from pyhanko.pdf_utils.reader import PdfFileReader

from contracts.verify import load_trust_roots, verify_pdf


def _fingerprint(cert) -> str:
    return hashlib.sha256(cert.dump()).hexdigest().upper()


def _timestamp_certs(signer_info) -> list:
    """The certificates inside a signature timestamp token (the TSA's chain)."""
    found = []
    for attr in signer_info["unsigned_attrs"] or []:
        if attr["type"].native != "signature_time_stamp_token":
            continue
        for token in attr["values"]:
            found += list(token["content"]["certificates"] or [])
    return found


class Command(BaseCommand):
    help = "署名済みPDFの署名・タイムスタンプと証明書チェーン、検証結果を表示します。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("pdf", type=Path)

    def handle(self, *args, pdf: Path, **options) -> None:
        try:
            data = pdf.read_bytes()
        except OSError as exc:
            raise CommandError(f"ファイルを読めません: {exc}") from None
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        for number, sig in enumerate(reader.embedded_signatures, start=1):
            kind = "文書タイムスタンプ" if sig.sig_object_type == "/DocTimeStamp" else "署名"
            self.stdout.write(f"{number}. {kind} {sig.field_name}")
            certs = [sig.signer_cert, *sig.other_embedded_certs]
            certs += _timestamp_certs(sig.signer_info)
            for cert in certs:
                cert = getattr(cert, "chosen", cert)
                self.stdout.write(f"   subject: {cert.subject.human_friendly}")
                self.stdout.write(f"   issuer:  {cert.issuer.human_friendly}")
                self.stdout.write(f"   sha256:  {_fingerprint(cert)}")
        roots = load_trust_roots()
        self.stdout.write(f"信頼の起点: {len(roots.certs)}件 {roots.problem}")
        for cert in roots.certs:
            self.stdout.write(f"   {cert.subject.human_friendly}  sha256 {_fingerprint(cert)}")
        result = verify_pdf(data, roots=roots)
        self.stdout.write(f"検証結果: {result.detail}")
