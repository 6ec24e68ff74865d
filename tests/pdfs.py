"""Real PDFs made for the tests (reportlab), and damaged or encrypted variants (pypdf)."""

import io

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "HeiseiKakuGo-W5"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def make_pdf(pages: int = 1, text: str = "建設工事請負契約書") -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(pages):
        c.setFont(FONT, 14)
        c.drawString(72, 760, f"{text} {i + 1}/{pages}")
        c.showPage()
    c.save()
    return buf.getvalue()


def pdf_upload(name: str = "建設工事請負契約書.pdf", pages: int = 3):
    """A PDF as a browser uploads it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, make_pdf(pages=pages), "application/pdf")


def make_encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# A minimal PNG (1x1 pixel): a picture renamed to .pdf must be refused.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def make_pdf_with_javascript() -> bytes:
    from pypdf.actions import JavaScript

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.add_open_action(JavaScript("app.alert('x');"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_pdf_with_embedded_file() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.add_attachment("invoice.exe", b"MZ\x90\x00 not really a program")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_deeply_nested_pdf(depth: int = 5000) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj\n"
        + b"[" * depth
        + b"]" * depth
        + b"\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def make_large_pdf(size: int) -> bytes:
    """A parseable PDF of exactly ``size`` bytes: pages whose content streams carry random
    (incompressible) data, as a scanned drawing would."""
    import os

    from pypdf.generic import DecodedStreamObject, NameObject

    def build(noise_bytes: list[int]) -> bytes:
        writer = PdfWriter()
        for n in noise_bytes:
            page = writer.add_blank_page(595, 842)
            stream = DecodedStreamObject()
            stream.set_data(b"BT /F1 12 Tf 72 760 Td (drawing) Tj ET\n% " + b"0" * n + b"\n")
            page[NameObject("/Contents")] = writer._add_object(stream)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    per_page = 1024 * 1024
    chunks = [per_page] * max(1, size // per_page)
    probe = len(build(chunks))
    chunks[-1] += size - probe
    data = build(chunks)
    assert len(data) == size, (len(data), size)
    # replace the zero padding with noise of the same length (the size does not change)
    out = bytearray(data)
    start = 0
    while (at := out.find(b"(drawing) Tj ET\n% ", start)) != -1:
        begin = at + len(b"(drawing) Tj ET\n% ")
        end = out.index(b"\n", begin)
        out[begin:end] = os.urandom((end - begin) // 2 + 1).hex().encode()[: end - begin]
        start = end
    return bytes(out)
