"""Printable PDF of a filed form: A4, 「足利市長 宛て」, 申請日 in 和暦, the company block and the
fields in the order of the 様式. Japanese text with reportlab's built-in CID fonts (no download)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from applications.kinds import labelled_values
from applications.models import Application
from core.wareki import format_wareki

GOTHIC = "HeiseiKakuGo-W5"
MINCHO = "HeiseiMin-W3"
pdfmetrics.registerFont(UnicodeCIDFont(GOTHIC))
pdfmetrics.registerFont(UnicodeCIDFont(MINCHO))
MARGIN = 56
LABEL_WIDTH = 190


def filed_on(application: Application) -> dt.date:
    form = application.kind_obj.form
    value = application.data.get(form.date_field) if form.date_field else None
    if value:
        return dt.date.fromisoformat(value)
    if application.submitted_at:
        return timezone.localtime(application.submitted_at).date()
    return timezone.localdate()


def application_pdf(application: Application) -> bytes:
    kind = application.kind_obj
    form = kind.form
    company = application.company
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(kind.title)
    c.setAuthor(company.name)
    width, height = A4
    y = height - MARGIN

    def ensure(space: float) -> None:
        nonlocal y
        if y - space < MARGIN:
            c.showPage()
            y = height - MARGIN

    def write(text: str, *, size=10.5, font=MINCHO, x=MARGIN, right=False, center=False):
        nonlocal y
        ensure(size + 6)
        c.setFont(font, size)
        if right:
            c.drawRightString(width - MARGIN, y, text)
        elif center:
            c.drawCentredString(width / 2, y, text)
        else:
            c.drawString(x, y, text)
        y -= size + 7

    if form.pdf_number:
        write(form.pdf_number, size=9)
    write(f"申請日　{format_wareki(filed_on(application))}", right=True)
    write("足利市長　宛て", size=11)
    y -= 4
    data = application.data
    for label, value in (
        ("住所", data.get("address") or company.address),
        ("商号又は名称", data.get("company_name") or company.name),
        ("代表者氏名", data.get("representative") or company.representative),
    ):
        write(f"{label}　{value}", x=width / 2 - 20)
    y -= 10
    write(kind.title, size=16, font=GOTHIC, center=True)
    y -= 6
    if form.pdf_intro:
        for line in simpleSplit(form.pdf_intro, MINCHO, 10.5, width - 2 * MARGIN):
            write(line)
        y -= 4
    header = form(initial=application.data, case=application.case, company=company).pdf_header()
    if header:
        for label, value in header:
            write(f"{label}　{value}")
        y -= 4
    elif not form.pdf_intro:
        write(f"案件　{application.case.number}　{application.case.title}")
    for heading, rows in labelled_values(kind, data, application.case, company):
        if heading:
            y -= 4
            write(heading, size=11, font=GOTHIC)
        for label, value in rows:
            lines = simpleSplit(value or "　", MINCHO, 10.5, width - 2 * MARGIN - LABEL_WIDTH)
            ensure(14 * len(lines) + 6)
            c.setStrokeGray(0.6)
            top = y + 12
            c.setFont(MINCHO, 9.5)
            label_lines = simpleSplit(label, MINCHO, 9.5, LABEL_WIDTH - 8)
            for i, part in enumerate(label_lines):
                c.drawString(MARGIN + 4, y - i * 13, part)
            c.setFont(MINCHO, 10.5)
            for i, part in enumerate(lines):
                c.drawString(MARGIN + LABEL_WIDTH, y - i * 14, part)
            y -= max(len(lines) * 14, len(label_lines) * 13) + 6
            c.line(MARGIN, y + 10, width - MARGIN, y + 10)
            c.line(MARGIN, top, MARGIN, y + 10)
            c.line(width - MARGIN, top, width - MARGIN, y + 10)
            c.line(MARGIN + LABEL_WIDTH - 6, top, MARGIN + LABEL_WIDTH - 6, y + 10)
    attachments = list(application.attachments.select_related("file"))
    if attachments:
        y -= 6
        write("添付書類", size=11, font=GOTHIC)
        for a in attachments:
            write(
                f"・{a.get_purpose_display()}：{a.file.original_name}（{a.file.page_count}ページ）"
            )
    if form.pdf_notes:
        y -= 6
        for note in form.pdf_notes:
            write(note, size=9.5)
    y -= 10
    if application.receipt_number:
        submitted = timezone.localtime(application.submitted_at)
        write(
            f"到達番号 {application.receipt_number}　提出日時 {format_wareki(submitted.date())}"
            f" {submitted:%H:%M}　状態 {application.get_status_display()}",
            size=8.5,
            font=GOTHIC,
        )
    c.showPage()
    c.save()
    return buf.getvalue()
