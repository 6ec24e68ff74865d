"""Notice refusals that mislead (issue 25 item 7), and the 発行日 in 「令和7年（2025年）9月4日」."""

import io

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from surety.notice import NoticeReadError, read_notice
from tests.pdfs import FONT
from tests.surety.notices import HEAD, KEY, notice_pdf, standard

CERTIFICATE = [
    "保証証書(契約保証)",
    "保証契約番号 : 31072-0002K",
    "保証契約者 : ●●●●●●●● 足利テスト建設 株式会社",
    "保証金額(総額) : 5,000,000 円",
    "保証期限 : 令和8年3月31日",
    "工事名 : 市道1234号線道路改良工事",
    "請負金額(総額) : 50,000,000 円",
    "当社は、契約保証の約款に基づき上記のとおり保証契約を締結し、その責に任じます。",
]


def test_bracketed_western_year_gives_the_issue_date():
    head = ["令和7年（2025年）9月4日", *HEAD[1:]]
    assert read_notice(notice_pdf(standard(), head=head)).issued_on.isoformat() == "2025-09-04"
    head = ["令和元年（2019年）5月7日", *HEAD[1:]]
    assert read_notice(notice_pdf(standard(), head=head)).issued_on.isoformat() == "2019-05-07"


def rotated_text() -> bytes:
    """The notice printed sideways (every line drawn turned a quarter)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.translate(560, 60)
    c.rotate(90)
    y = 0
    for line in [*HEAD, *standard()]:
        c.setFont(FONT, 11)
        c.drawString(0, y, line)
        y -= 22
    c.showPage()
    c.save()
    return buf.getvalue()


def page_rotated() -> bytes:
    """A page with /Rotate 90 whose text is drawn turned back (a scanner's landscape output)."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(rotated_text())))
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("make", [rotated_text, page_rotated])
def test_a_rotated_notice_says_so_and_offers_manual_entry(make):
    with pytest.raises(NoticeReadError) as exc_info:
        read_notice(make())
    assert exc_info.value.code == "rotated"
    message = exc_info.value.message
    assert message.startswith(
        "PDFが回転しているか、スキャンした画像のため、保証契約番号を読み取れません。"
    )
    assert "手入力" in message


def test_a_notice_followed_by_its_certificate_print_is_read():
    n = read_notice(notice_pdf([*standard(), *CERTIFICATE]))
    assert (n.guarantee_number, n.auth_key, n.contractor_name) == (
        "31072-0002K",
        KEY,
        "足利テスト建設 株式会社",
    )
    assert n.construction_name == "市道1234号線道路改良工事"


def test_a_notice_followed_by_another_guarantees_certificate_is_refused():
    other = [line.replace("31072-0002K", "31072-0009K") for line in CERTIFICATE]
    with pytest.raises(NoticeReadError) as exc_info:
        read_notice(notice_pdf([*standard(), *other]))
    assert exc_info.value.code == "certificate_mismatch"
    assert "（お知らせ: 31072-0002K / 保証証書: 31072-0009K）" in exc_info.value.message


def test_the_dsure_summary_screen_is_not_the_notice():
    """The briefing's D・Sure screen 「電子保証概要(前払金保証)」 with its 認証キー twice."""
    screen = [
        "保証契約一覧",
        "電子保証概要(前払金保証) ※最新の情報を表示しています。",
        "保証契約番号 : 31072-0001M",
        "工事名 : 市道1234号線道路改良工事",
        "認証キー ※発注者にお知らせください。",
        "認証キー : Z28YUE4J3Bux",
    ]
    with pytest.raises(NoticeReadError) as exc_info:
        read_notice(notice_pdf(screen, head=["〇〇建設 株式会社 様"], tail=[]))
    assert exc_info.value.code == "dsure_summary"
    assert "「電子保証概要」画面を印刷したもので、「認証キーのお知らせ」ではありません" in (
        exc_info.value.message
    )


def test_a_plain_contract_pdf_still_says_not_found():
    """Not rotated, no notice: the old message (no false 回転 hint)."""
    from pathlib import Path

    data = (Path(__file__).resolve().parents[1] / "data" / "contract-construction.pdf").read_bytes()
    with pytest.raises(NoticeReadError) as exc_info:
        read_notice(data)
    assert exc_info.value.code == "guarantee_number_missing"
