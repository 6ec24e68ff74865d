"""The demo 建設工事請負契約書 (and variants for tests): a real PDF with a Japanese text layer,
laid out like the city's 契約書 (reportlab, built-in CID font). Run as a module to rebuild
portal/demo/contract-construction.pdf:

    .venv/bin/python -m portal.demo.contract_pdf
"""

from __future__ import annotations

import io
from pathlib import Path

DEMO = {
    "title": "市道1234号線道路改良工事",
    "place": "足利市本城三丁目地内",
    "period": "令和7年11月10日から令和8年3月19日まで",
    "amount": "金50,000,000円",
    "tax": "金4,545,454円",
    "city_address": "栃木県足利市本城三丁目2145番地",
    "address": "栃木県足利市本城三丁目2145番地",
    "company": "足利テスト建設 株式会社",
    "representative": "代表取締役 山田 太郎",
}
FONT = "HeiseiMin-W3"


def build_contract_pdf(clause_pages: int = 2, **values: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    v = {**DEMO, **values}
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(v["title"])
    c.setFont(FONT, 18)
    c.drawCentredString(297, 780, "建設工事請負契約書")
    c.setFont(FONT, 11)
    lines = [
        f"1　工 事 名　　{v['title']}",
        f"2　工事場所　　{v['place']}",
        f"3　工　　期　　{v['period']}",
        f"4　請負代金額　{v['amount']}",
        f"　　（うち取引に係る消費税及び地方消費税の額　{v['tax']}）",
        "5　契約保証金　免除（保証事業会社の保証による）",
        "6　前払金　　　請負代金額の10分の4以内",
        "",
        "上記の工事について、発注者と受注者は、各々の対等な立場における合意に基づいて、",
        "別添の条項によって公正な請負契約を締結し、信義に従って誠実にこれを履行するものとする。",
        "本契約の証として本書の電磁的記録を作成し、発注者及び受注者が合意の後電子署名を行い、",
        "各自その電磁的記録を保管する。",
        "",
        f"発注者　住所　{v['city_address']}",
        "　　　　氏名　足利市長",
        f"受注者　住所　{v['address']}",
        f"　　　　氏名　{v['company']} {v['representative']}",
    ]
    y = 730
    for line in lines:
        c.drawString(60, y, line)
        y -= 22
    c.drawCentredString(297, 40, "- 1 -")
    c.showPage()
    article = 1
    for page in range(clause_pages):
        c.setFont(FONT, 12)
        c.drawString(60, 790, f"工事請負契約約款（第{page + 1}頁）")
        c.setFont(FONT, 10)
        y = 760
        for _ in range(24):
            c.drawString(
                60,
                y,
                f"第{article}条　（条文）発注者及び受注者は、この約款に基づき、設計図書に従い、",
            )
            c.drawString(60, y - 13, "　　日本国の法令を遵守し、この契約を履行しなければならない。")
            y -= 29
            article += 1
        c.drawCentredString(297, 40, f"- {page + 2} -")
        c.showPage()
    c.save()
    return buf.getvalue()


def build_scanned_pdf(pages: int = 1) -> bytes:
    """A contract as a scanner makes it: page images, no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for page in range(pages):
        image = Image.new("L", (620, 877), 250)
        draw = ImageDraw.Draw(image)
        for row in range(40, 820, 22):  # lines of "text" as a scan shows them
            draw.line((60, row, 560 - (row * 7 + page * 13) % 180, row), fill=40, width=3)
        c.drawImage(ImageReader(image), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return buf.getvalue()


if __name__ == "__main__":
    target = Path(__file__).resolve().parent / "contract-construction.pdf"
    target.write_bytes(build_contract_pdf())
    print(target)
