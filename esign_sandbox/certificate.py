"""The 合意締結証明書 (certificate of agreement) as a Japanese PDF."""

from __future__ import annotations

import hashlib
import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "HeiseiKakuGo-W5"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _fmt(value) -> str:
    return timezone.localtime(value).strftime("%Y/%m/%d %H:%M:%S") if value else "—"


def certificate_pdf(doc) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle("合意締結証明書")
    width, height = A4
    y = height - 72

    def line(text: str, size: int = 10, indent: int = 0) -> None:
        nonlocal y
        if y < 72:
            c.showPage()
            y = height - 72
        c.setFont(FONT, size)
        c.drawString(60 + indent, y, text)
        y -= size + 8

    line("合意締結証明書", 18)
    line("（クラウドサイン サンドボックス）", 9)
    y -= 8
    line(f"書類ID: {doc.id}")
    line(f"書類名: {doc.title}")
    line(f"送信日時: {_fmt(doc.sent_at)}")
    line(f"締結日時: {_fmt(doc.last_processed_at)}")
    y -= 6
    line("参加者", 12)
    for p in doc.participants.all():
        role = "送信者" if p.order == 0 else f"受信者{p.order}"
        line(f"{role}: {p.name}（{p.organization or '—'}） {p.email}", 10, 12)
        if p.order:
            line(f"合意日時: {_fmt(p.processed_at)}", 9, 24)
    y -= 6
    line("締結済みファイル（SHA-256）", 12)
    for f in doc.files.all():
        data = bytes(f.signed_data or f.data)
        line(f"{f.name}", 10, 12)
        line(hashlib.sha256(data).hexdigest(), 8, 24)
    c.showPage()
    c.save()
    return buf.getvalue()
