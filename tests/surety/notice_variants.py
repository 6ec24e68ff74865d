"""The reader's own variant set: 認証キーのお知らせ PDFs laid out the ways real notices are.

Each variant is drawn with reportlab (canvas or platypus tables, the built-in Japanese CID font)
in invariant mode, so the same script always writes the same bytes. The PDFs are committed under
``tests/data/notices/``; ``tests/surety/test_notice_variants.py`` reads every one of them and
checks that regenerating them gives the committed files. To regenerate after a change here::

    .venv/bin/python -m tests.surety.notice_variants

Variants (why each exists — issue 16):
- table-grid: a bordered two-column table, the label cell of 受注者名 on two lines with the JV
  hint, a long 工事名 wrapping inside its cell;
- header-table: labels in a header row, values in the row below (value under label);
- value-below: each value on the line below its label, no colon;
- separate-runs: label, colon and value as separate text runs on one line (the label's characters
  themselves spread as separate runs);
- two-pages / two-pages-dash-marker / two-pages-page-word: the fields spread over two pages with
  page markers 「(1/2)」「- 1 -」「1/2ページ」 near the last field of a page;
- dash-uXXXX: the 保証契約番号 written with each dash look-alike;
- wjcs-wording / hcs-wording: 西日本建設業保証 and 北海道建設業信用保証 titles and label wordings;
- midterm-advance: 中間前払金保証.
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.text import DASH_LOOKALIKES
from tests.pdfs import FONT

OUT = Path(__file__).resolve().parents[1] / "data" / "notices"

TITLE = "市道1234号線道路改良工事"
COMPANY = "足利テスト建設 株式会社"
NUMBER = "31072-0002K"
KEY = "Q7mD2xKp9LwA"
EJCS = "東日本建設業保証株式会社"

INTRO = [
    "電子証書を「保証確認サービス(D・Sure)」に掲載しましたので、お知らせします。",
    "つきましては、下記内容をご確認いただき、このPDFファイルを発注者様にご提出ください。",
]
TAIL = [
    "【発注者様へのお問い合わせ】",
    "「保証確認サービス(D・Sure)」にログインし、電子証書を閲覧ください。",
]


def expected(**changes) -> dict:
    values = {
        "construction_name": TITLE,
        "contractor_name": COMPANY,
        "product": "契約保証",
        "guarantee_number": NUMBER,
        "auth_key": KEY,
        "issuer": EJCS,
        "issued_on": "2025-09-04",
    }
    values.update(changes)
    return values


def _canvas(buf: io.BytesIO) -> canvas.Canvas:
    return canvas.Canvas(buf, pagesize=A4, invariant=1)


def _head(
    c: canvas.Canvas, *, issuer=EJCS, title="電子保証にかかる「認証キー」のお知らせ"
) -> float:
    c.setFont(FONT, 10.5)
    c.drawRightString(545, 790, "令和7年9月4日")
    c.drawString(50, 760, f"{COMPANY}　様")
    c.drawRightString(545, 736, issuer)
    c.drawRightString(545, 722, "栃木支店")
    c.setFont(FONT, 14)
    c.drawCentredString(297, 684, title)
    c.setFont(FONT, 10.5)
    y = 650
    for line in INTRO:
        c.drawString(50, y, line)
        y -= 16
    c.drawCentredString(297, y - 10, "記")
    return y - 40


def _tail(c: canvas.Canvas, y: float) -> None:
    c.setFont(FONT, 9)
    for line in TAIL:
        c.drawString(50, y, line)
        y -= 14


def _lines(rows: list[str], *, issuer=EJCS, title=None) -> bytes:
    """The briefing's layout (label : value on one line) with the given rows."""
    buf = io.BytesIO()
    c = _canvas(buf)
    y = _head(c, issuer=issuer, **({"title": title} if title else {}))
    c.setFont(FONT, 10.5)
    for row in rows:
        c.drawString(80, y, row)
        y -= 22
    _tail(c, y - 20)
    c.showPage()
    c.save()
    return buf.getvalue()


def _standard_rows(*, number=NUMBER, product="契約保証") -> list[str]:
    return [
        f"工 事 名 : {TITLE}",
        f"受 注 者 名 : {COMPANY}",
        f"商品(保証区分) : {product}",
        f"保証契約番号 : {number}",
        f"認 証 キー : {KEY}",
    ]


def table_grid() -> bytes:
    style = ParagraphStyle("ja", fontName=FONT, fontSize=10.5, leading=14, wordWrap="CJK")
    title = "市道1234号線道路改良工事（その2）及び同線歩道整備に伴う附帯施設設置工事"
    p = lambda text: Paragraph(text, style)  # noqa: E731
    data = [
        [p("工事名"), p(title)],
        [p("受注者名<br/>(JVの場合は代表者)"), p(COMPANY)],
        [p("商品(保証区分)"), p("契約保証")],
        [p("保証契約番号"), p(NUMBER)],
        [p("認証キー"), p(KEY)],
    ]
    table = Table(data, colWidths=[120, 200])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    head = ParagraphStyle("head", fontName=FONT, fontSize=10.5, leading=16)
    big = ParagraphStyle("big", fontName=FONT, fontSize=14, leading=20, alignment=1)
    story = [
        Paragraph("令和7年9月4日", head),
        Paragraph(f"{COMPANY}　様", head),
        Paragraph(f"{EJCS} 栃木支店", head),
        Spacer(1, 12),
        Paragraph("電子保証にかかる「認証キー」のお知らせ", big),
        Spacer(1, 12),
        *[Paragraph(line, head) for line in INTRO],
        Spacer(1, 12),
        table,
        Spacer(1, 18),
        *[Paragraph(line, head) for line in TAIL],
    ]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, invariant=1).build(story)
    return buf.getvalue()


def header_table() -> bytes:
    buf = io.BytesIO()
    c = _canvas(buf)
    y = _head(c)
    c.setFont(FONT, 10.5)
    c.drawString(80, y, f"工事名 : {TITLE}")
    c.drawString(80, y - 22, f"受注者名 : {COMPANY}")
    y -= 60
    columns = [
        (80, "商品(保証区分)", "契約保証"),
        (230, "保証契約番号", NUMBER),
        (380, "認証キー", KEY),
    ]
    for x, label, value in columns:
        c.rect(x - 4, y - 26, 146, 40)
        c.line(x - 4, y - 6, x + 142, y - 6)
        c.drawString(x, y, label)
        c.drawString(x, y - 20, value)
    _tail(c, y - 70)
    c.showPage()
    c.save()
    return buf.getvalue()


def value_below(*, product="契約保証") -> bytes:
    buf = io.BytesIO()
    c = _canvas(buf)
    y = _head(c)
    c.setFont(FONT, 10.5)
    for label, value in [
        ("工事名", TITLE),
        ("受注者名", COMPANY),
        ("商品(保証区分)", product),
        ("保証契約番号", NUMBER),
        ("認証キー", KEY),
    ]:
        c.drawString(80, y, label)
        c.drawString(100, y - 16, value)
        y -= 40
    _tail(c, y - 10)
    c.showPage()
    c.save()
    return buf.getvalue()


def separate_runs() -> bytes:
    buf = io.BytesIO()
    c = _canvas(buf)
    y = _head(c)
    c.setFont(FONT, 10.5)
    for label, value in [
        ("工事名", TITLE),
        ("受注者名", COMPANY),
        ("商品(保証区分)", "契約保証"),
        ("保証契約番号", NUMBER),
        ("認証キー", KEY),
    ]:
        if len(label) <= 4:  # spread label: one run per character
            for i, ch in enumerate(label):
                c.drawString(80 + i * 16, y, ch)
        else:
            c.drawString(80, y, label)
        c.drawString(200, y, ":")
        for i, part in enumerate(value.split(" ")):  # 足利テスト建設 / 株式会社 as two runs
            c.drawString(215 + i * 90, y, part)
        y -= 24
    _tail(c, y - 20)
    c.showPage()
    c.save()
    return buf.getvalue()


def two_pages(markers: tuple[str, str]) -> bytes:
    buf = io.BytesIO()
    c = _canvas(buf)
    y = _head(c)
    c.setFont(FONT, 10.5)
    rows = _standard_rows()
    for row in rows[:2]:
        c.drawString(80, y, row)
        y -= 22
    c.drawString(80, y, markers[0])  # the marker right under the last field of the page
    c.showPage()
    c.setFont(FONT, 10.5)
    c.drawRightString(545, 810, markers[1])
    y = 780
    for row in rows[2:]:
        c.drawString(80, y, row)
        y -= 22
    _tail(c, y - 20)
    c.showPage()
    c.save()
    return buf.getvalue()


def dash(ch: str) -> bytes:
    return _lines(_standard_rows(number=NUMBER.replace("-", ch)))


def wjcs_wording() -> bytes:
    buf = io.BytesIO()
    c = _canvas(buf)
    c.setFont(FONT, 10.5)
    c.drawRightString(545, 790, "発行日：令和７年９月４日")
    c.drawString(50, 760, f"{COMPANY}　御中")
    c.drawRightString(545, 736, "西日本建設業保証株式会社")
    c.setFont(FONT, 14)
    c.drawCentredString(297, 690, "電子証書閲覧用『認証キー』等のお知らせ")
    c.setFont(FONT, 10.5)
    y = 650
    for label, value in [
        ("工事件名", TITLE),
        ("保証契約者", COMPANY),
        ("保証の種類", "前金払保証"),
        ("保証契約番号", "３１０７２－０００２Ｋ"),
        ("認証キー", "Ｑ７ｍＤ２ｘＫｐ９ＬｗＡ"),
    ]:
        c.drawString(80, y, f"{label}：")
        c.drawString(190, y, value)
        y -= 22
    c.drawString(80, y - 20, "以上")
    c.showPage()
    c.save()
    return buf.getvalue()


def hcs_wording() -> bytes:
    rows = [
        f"件　　名 ： {TITLE}",
        f"受 注 者 ： {COMPANY}",
        "保証区分 ： 契約保証",
        f"保証契約番号 ： {NUMBER}",
        f"認証キー ： {KEY}",
    ]
    return _lines(rows, issuer="北海道建設業信用保証株式会社", title="電子保証 認証キー通知書")


def variants() -> dict[str, tuple[bytes, dict]]:
    """file name → (PDF bytes, what the reader must read from it)."""
    out = {
        "table-grid.pdf": (
            table_grid(),
            expected(
                construction_name="市道1234号線道路改良工事(その2)及び同線歩道整備に伴う附帯施設設置工事"
            ),
        ),
        "header-table.pdf": (header_table(), expected()),
        "value-below.pdf": (value_below(), expected()),
        "separate-runs.pdf": (separate_runs(), expected()),
        "two-pages.pdf": (two_pages(("(1/2)", "(2/2)")), expected()),
        "two-pages-dash-marker.pdf": (two_pages(("- 1 -", "- 2 -")), expected()),
        "two-pages-page-word.pdf": (two_pages(("1/2ページ", "2/2ページ")), expected()),
        "wjcs-wording.pdf": (
            wjcs_wording(),
            expected(product="前払金保証", issuer="西日本建設業保証株式会社"),
        ),
        "hcs-wording.pdf": (hcs_wording(), expected(issuer="北海道建設業信用保証株式会社")),
        "midterm-advance.pdf": (
            value_below(product="中間前払金保証"),
            expected(product="中間前払金保証"),
        ),
    }
    for ch in DASH_LOOKALIKES:
        out[f"dash-u{ord(ch):04x}.pdf"] = (dash(ch), expected())
    return out


def main() -> None:
    rl_config.invariant = 1
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (data, _) in variants().items():
        (OUT / name).write_bytes(data)
        print(OUT / name)


if __name__ == "__main__":
    main()
