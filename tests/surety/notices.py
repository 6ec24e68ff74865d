"""Notice PDFs made for the tests: the variants real notices show (reportlab, CID fonts)."""

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.pdfs import FONT

# The 認証キー every test notice carries.
KEY = "Q7mD2xKp9LwA"

HEAD = [
    "令和7年9月4日",
    "足利テスト建設 株式会社　様",
    "東日本建設業保証株式会社",
    " 栃木支店",
    "電子保証にかかる「認証キー」のお知らせ",
    "記",
]
TAIL = [
    "【発注者様へのお問い合わせ】",
    "「保証確認サービス(D・Sure)」にログインし、電子証書を閲覧ください。",
]


def notice_pdf(body: list[str], *, head=HEAD, tail=TAIL) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    y = 800
    for line in [*head, *body, *tail]:
        c.setFont(FONT, 11)
        c.drawString(60, y, line)
        y -= 22
    c.showPage()
    c.save()
    return buf.getvalue()


def standard(
    *,
    title="市道1234号線道路改良工事",
    contractor="足利テスト建設 株式会社",
    product="契約保証",
    number="31072-0002K",
    key="Q7mD2xKp9LwA",
) -> list[str]:
    return [
        f"工 事 名 : {title}",
        f"受 注 者 名 : {contractor}",
        " (JVの場合は代表者)",
        f"商品(保証区分) : {product}",
        f"保証契約番号 : {number}",
        f"認 証 キー : {key}",
    ]


def scan_pdf() -> bytes:
    """A 'scan': only graphics, no text layer."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(20):
        c.rect(60, 780 - i * 30, 400, 12, fill=1)
    c.showPage()
    c.save()
    return buf.getvalue()
