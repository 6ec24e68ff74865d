import io

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def signature_status(data: bytes, ca_pem: str):
    """pyHanko's status of the final approval signature (the one with the signature timestamp;
    earlier ones are the document ID, the sender and the earlier recipients)."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    sig = [s for s in reader.embedded_signatures if s.sig_object_type == "/Sig"][-1]
    ca = load_cert_from_pemder(ca_pem)
    vc = ValidationContext(trust_roots=[ca], allow_fetching=False)
    return validate_pdf_signature(sig, signer_validation_context=vc, ts_validation_context=vc)


def prepared(cs, *, title="R7-KE-0001 市道1234号線道路改良工事", recipients=2, pdf=None):
    """A draft with one PDF, ``recipients`` recipients and one reportee."""
    from tests.pdfs import make_pdf

    doc = cs.create_document(
        title=title, note="足利テスト建設 株式会社", message="ご確認ください。"
    )
    doc, f = cs.add_file(doc.id, name="建設工事請負契約書.pdf", data=pdf or make_pdf(pages=3))
    people = []
    for i in range(recipients):
        doc, p = cs.add_participant(
            doc.id, name=f"署名者{i + 1}", email=f"signer{i + 1}@example.jp", organization="組織"
        )
        people.append(p)
    doc, r = cs.add_reportee(doc.id, name="契約担当者", email="tanto@example.jp")
    return doc, f, people, r
