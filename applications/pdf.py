"""Printable PDFs of a filing: the form as filed (A4, 「足利市長 宛て」, 申請日 in 和暦, the
applicant once, the fields in the order of the 様式) and the 受付票 (receipt) with the 到達番号.

Japanese text is set with ``core.pdfwrap`` (a reportlab Paragraph whose lines are broken the
Japanese way: a number stays whole with its counter, 「2145番地」, and kinsoku applies), so that a
long value wraps inside its cell instead of running off the page; the fonts are reportlab's
built-in CID fonts (nothing to download)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from applications.kinds import labelled_values
from applications.models import Application
from core.pdfwrap import WrappedParagraph
from core.wareki import format_date, format_wareki, format_wareki_datetime

GOTHIC = "HeiseiKakuGo-W5"
MINCHO = "HeiseiMin-W3"
pdfmetrics.registerFont(UnicodeCIDFont(GOTHIC))
pdfmetrics.registerFont(UnicodeCIDFont(MINCHO))
MARGIN = 20 * mm
LABEL_WIDTH = 62 * mm

# The applicant block printed once at the top right; these fields are not repeated in the table.
APPLICANT_FIELDS = ("applied_on", "address", "company_name", "representative")


def _style(name: str, *, font: str = MINCHO, size: float = 10.5, **kwargs) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=font, fontSize=size, leading=size * 1.5, wordWrap="CJK", **kwargs
    )


BODY = _style("body")
SMALL = _style("small", size=9)
LABEL = _style("label", size=9.5)
HEADING = _style("heading", font=GOTHIC, size=11, spaceBefore=8, spaceAfter=4)
TITLE = _style("title", font=GOTHIC, size=16, alignment=TA_CENTER, spaceBefore=6, spaceAfter=10)
RIGHT = _style("right", alignment=TA_RIGHT)
BIG = _style("big", font=GOTHIC, size=18, alignment=TA_CENTER, spaceBefore=4, spaceAfter=8)


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A Paragraph of plain text (escaped; line breaks kept), broken into lines Japanese style
    (``core.pdfwrap.break_lines``) at the width it is laid out in."""
    return WrappedParagraph.of(text, style)


def filed_on(application: Application) -> dt.date:
    form = application.kind_obj.form
    value = application.data.get(form.date_field) if form.date_field else None
    if value:
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            pass
    if application.submitted_at:
        return timezone.localtime(application.submitted_at).date()
    return timezone.localdate()


def _table(rows: list[tuple[str, str]], width: float) -> Table:
    table = Table(
        [
            [para(str(label), LABEL), para(str(value) if value not in (None, "") else "　")]
            for label, value in rows
        ],
        colWidths=[LABEL_WIDTH, width - LABEL_WIDTH],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.95, 0.95, 0.95)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _build(title: str, author: str, story: list) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=author,
    )
    doc.build(story)
    return buf.getvalue()


def _applicant(application: Application) -> list[tuple[str, str]]:
    data, company = application.data, application.company
    return [
        ("住所", str(data.get("address") or company.address)),
        ("商号又は名称", str(data.get("company_name") or company.name)),
        ("代表者氏名", str(data.get("representative") or company.representative)),
    ]


def application_pdf(application: Application) -> bytes:
    kind = application.kind_obj
    form = kind.form
    company = application.company
    width = A4[0] - 2 * MARGIN
    story: list = []
    if form.pdf_number:
        story.append(para(form.pdf_number, SMALL))
    story.append(para(f"申請日　{format_date(filed_on(application))}", RIGHT))
    story.append(para("足利市長　宛て"))
    story.append(Spacer(1, 4))
    applicant = Table(
        [[para(label, LABEL), para(value)] for label, value in _applicant(application)],
        colWidths=[28 * mm, width / 2 - 28 * mm],
        hAlign="RIGHT",
    )
    story.append(applicant)
    story.append(para(kind.title, TITLE))
    if form.pdf_intro:
        story.append(para(form.pdf_intro))
    instance = form(initial=application.data, case=application.case, company=company)
    header = instance.pdf_header()
    if header:  # the 工事 header of the 様式: one line each, as on the paper form
        for label, value in header:
            story.append(para(f"{label}　{value}"))
    elif not form.pdf_intro:
        story.append(para(f"案件　{application.case.number}　{application.case.title}"))
    story.append(Spacer(1, 6))
    names_by_label = {str(f.label): n for n, f in instance.fields.items()}
    for heading, rows in labelled_values(kind, application.data, application.case, company):
        rows = [
            (label, value)
            for label, value in rows
            if names_by_label.get(label) not in APPLICANT_FIELDS
        ]
        if not rows:
            continue
        if heading:
            story.append(para(heading, HEADING))
        story.append(_table(rows, width))
    attachments = list(application.attachments.select_related("file"))
    if attachments:
        story.append(para("添付書類", HEADING))
        for a in attachments:
            story.append(
                para(
                    f"・{a.get_purpose_display()}：{a.file.original_name}"
                    f"（{a.file.page_count}ページ）"
                )
            )
    if form.pdf_notes:
        story.append(Spacer(1, 8))
        for note in form.pdf_notes:
            story.append(para(note, SMALL))
    if application.receipt_number:
        story.append(Spacer(1, 10))
        story.append(
            para(
                f"到達番号 {application.receipt_number}　提出日時 "
                f"{format_wareki_datetime(application.submitted_at)}　"
                f"状態 {application.get_status_display()}",
                SMALL,
            )
        )
    return _build(kind.title, company.name, story)


NEXT_STEPS = (
    "市の担当課が内容を確認します。確認が終わると「受理」となり、メールでお知らせします。",
    "内容に修正が必要な場合は「差戻し」となり、理由をメールでお知らせします。"
    "ポータルの申請の画面から修正して再提出してください。",
    "受理される前であれば、申請の画面から取り下げることができます。",
)


def receipt_pdf(application: Application) -> bytes:
    """受付票: what arrived and when, with the fingerprints of the attached files."""
    kind = application.kind_obj
    case = application.case
    width = A4[0] - 2 * MARGIN
    story: list = [
        para(f"発行日　{format_wareki(timezone.localdate())}", RIGHT),
        para("受付票（オンライン申請）", TITLE),
        para("次のとおり申請を受け付けました。", BODY),
        Spacer(1, 6),
        para(f"到達番号　{application.receipt_number}", BIG),
    ]
    rows = [
        ("様式", kind.title),
        ("案件", f"{case.number}　{case.title}"),
        ("申請者", application.company.name),
        ("提出日時", format_wareki_datetime(application.submitted_at)),
        (
            "提出回数",
            f"第{application.revision}回" + ("（再提出）" if application.revision > 1 else ""),
        ),
        ("状態", application.get_status_display()),
        ("提出先", f"足利市 {case.department.name}"),
    ]
    story.append(_table(rows, width))
    attachments = list(application.attachments.select_related("file"))
    if attachments:
        story.append(para("添付ファイル", HEADING))
        story.append(
            _table(
                [
                    (
                        f"{a.get_purpose_display()}",
                        f"{a.file.original_name}（{a.file.page_count}ページ）\n"
                        f"SHA-256: {a.file.sha256}",
                    )
                    for a in attachments
                ],
                width,
            )
        )
    story.append(para("この後の流れ", HEADING))
    for step in NEXT_STEPS:
        story.append(para(f"・{step}"))
    story.append(Spacer(1, 10))
    story.append(para("足利市 電子契約ポータル（足利市 総務部 契約管財課）", SMALL))
    return _build(f"受付票 {application.receipt_number}", application.company.name, story)
