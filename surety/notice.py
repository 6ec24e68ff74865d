"""Reading the 「電子保証にかかる「認証キー」のお知らせ」 PDF a surety company issues.

One function, :func:`read_notice` (the parse itself runs in a budgeted child process: see
:func:`read_notice_unbounded`). It reads by **layout**, not by line order: pypdf's text
visitor gives every text run with its position; runs are grouped into rows (same baseline) and
cells (runs close together on a row), and each label is paired with the value to its right on the
same row, or else with the cell just below it (a value under its label, or a table whose header
row holds the labels). So it copes with the variation of real notices: labels and values as
separate runs, values under labels, table layouts, spaces inside the labels or not, half- or
full-width colons and characters (NFKC), a value broken over two lines, joint ventures
(共同企業体), page markers such as 「(2/2)」 on multi-page notices (dropped), the different titles
and label wordings of the three 保証事業会社, and every dash look-alike inside the 保証契約番号
(U+2212, U+2010, full-width hyphen, 長音 … folded to 「-」, so that the no-mixing rule, which
matches on the number, sees one number).

It refuses with a Japanese message rather than guessing: no text layer (a scan), no or several
保証契約番号 / 認証キー, a malformed key. The contractor can then type the number and key by hand
(see ``surety.hooks``), so an unreadable notice is never a dead end.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field

from pypdf import PdfReader

from core.errors import DomainError
from core.text import fold_dashes
from core.uploads import read_untrusted_pdf
from core.wareki import parse_wareki

# Product names as the issuers print them → the portal's label (longest first: 中間前払金保証 ⊃
# 前払金保証). 西日本 and 北海道 also write 前金払保証.
PRODUCT_WORDINGS = (
    ("中間前払金保証", "中間前払金保証"),
    ("中間前金払保証", "中間前払金保証"),
    ("前払金保証", "前払金保証"),
    ("前金払保証", "前払金保証"),
    ("契約保証", "契約保証"),
)
NUMBER_PATTERN = re.compile(r"^\d{5}-[0-9A-Z]{4,6}$")
KEY_PATTERN = re.compile(r"^[0-9A-Za-z]{8,32}$")
ISSUER_PATTERN = re.compile(r"(\S*建設業(?:信用)?保証\S*?(?:株式会社|\(株\)))")
# Label wordings (compact, NFKC) → field. 東日本 (the briefing's sample, docs/domain.md §B.3),
# 西日本 (e-Net保証's 「電子証書閲覧用『認証キー』等のお知らせ」) and 北海道 word them differently.
LABELS = {
    "工事名": "construction_name",
    "工事件名": "construction_name",
    "件名": "construction_name",
    "工事名称": "construction_name",
    "業務名": "construction_name",
    "受注者名": "contractor_name",
    "受注者": "contractor_name",
    "保証契約者": "contractor_name",
    "保証契約者名": "contractor_name",
    "商品(保証区分)": "product",
    "商品": "product",
    "保証区分": "product",
    "保証の種類": "product",
    "保証種類": "product",
    "保証契約番号": "guarantee_number",
    "保証番号": "guarantee_number",
    "証書番号": "guarantee_number",
    "認証キー": "auth_key",
}
JV_HINT = re.compile(r"\(\s*JV\s*の\s*場\s*合\s*は\s*代\s*表\s*者\s*\)")
PAGE_MARKER = re.compile(
    r"^(?:\(\d+/\d+\)|\d+/\d+|-\d+-|\d+/\d+ページ|\d+ページ|\(\d+ページ\)|ページ\d+/\d+|p\.?\d+)$",
    re.IGNORECASE,
)
SEPARATORS = re.compile(r"^[\s:：]*")
# Rows that end a value broken over lines: notes, headings, the closing 以上.
STOP_PREFIXES = ("【", "「", "※")
STOP_ROWS = ("記", "以上")
MULTILINE = ("construction_name", "contractor_name")


def _label_regex() -> re.Pattern:
    # longest first, spaces allowed between the characters (「工 事 名」), then a colon, a space
    # or the end of the cell.
    alternatives = []
    for label in sorted(LABELS, key=len, reverse=True):
        chars = [re.escape(ch) for ch in label]
        alternatives.append(f"(?P<l{len(alternatives)}>" + r"\s*".join(chars) + ")")
    return re.compile(r"^\s*(?:" + "|".join(alternatives) + r")(?=\s|:|$)")


_LABEL = _label_regex()
_LABEL_FIELDS = [LABELS[label] for label in sorted(LABELS, key=len, reverse=True)]


class NoticeReadError(DomainError):
    """The notice cannot be read; ``message`` says why, in Japanese."""


@dataclass(frozen=True)
class Notice:
    construction_name: str
    contractor_name: str
    product: str
    guarantee_number: str
    auth_key: str
    issuer: str
    issued_on: dt.date | None


# --- layout ---------------------------------------------------------------------------------


@dataclass
class Cell:
    """Text runs close together on one row: a label, a value, or both."""

    page: int
    x0: float
    x1: float
    y: float
    size: float
    text: str


@dataclass
class Row:
    page: int
    y: float
    size: float
    cells: list[Cell] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells)


def _width(text: str, size: float) -> float:
    """Estimated advance of ``text``: CJK characters are one em, the rest about half."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.55 for ch in text)


def _runs(reader: PdfReader) -> list[tuple[int, float, float, float, str]]:
    """(page, x, y, font size, text) of every text run, in page coordinates."""
    runs = []
    for number, page in enumerate(reader.pages):

        def visit(text, cm, tm, font_dict, font_size, number=number):
            if not text or not text.strip():
                return
            # position = text matrix × current transformation matrix
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = (abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0) or 1.0
            size = (font_size or 10.0) * scale
            for i, piece in enumerate(text.split("\n")):
                if piece.strip():
                    runs.append((number, x, y - i * size * 1.2, size, piece))

        page.extract_text(visitor_text=visit)
    return runs


def _rows(runs) -> list[Row]:
    """Runs grouped into rows (top to bottom) and cells (left to right); page markers dropped."""
    rows: list[Row] = []
    for page, x, y, size, text in sorted(runs, key=lambda r: (r[0], -r[2], r[1])):
        text = unicodedata.normalize("NFKC", text)
        if rows and rows[-1].page == page and abs(rows[-1].y - y) <= 0.4 * min(size, rows[-1].size):
            row = rows[-1]
        else:
            row = Row(page=page, y=y, size=size)
            rows.append(row)
        row.size = max(row.size, size)
        stripped = text.strip()
        lead = len(text) - len(text.lstrip())
        x0 = x + _width(text[:lead], size)
        row.cells.append(Cell(page, x0, x0 + _width(stripped, size), y, size, stripped))
    for row in rows:
        row.cells.sort(key=lambda c: c.x0)
        merged: list[Cell] = []
        for cell in row.cells:
            previous = merged[-1] if merged else None
            if previous is not None and cell.x0 - previous.x1 < 0.9 * cell.size:
                glue = " " if cell.x0 - previous.x1 > 0.2 * cell.size else ""
                previous.text += glue + cell.text
                previous.x1 = max(previous.x1, cell.x1)
            else:
                merged.append(cell)
        row.cells = [c for c in merged if not PAGE_MARKER.match(re.sub(r"\s+", "", c.text))]
    return [row for row in rows if row.cells]


def _match_label(text: str) -> tuple[str, str] | None:
    """(field, the rest of the cell after the label and its colon) or None."""
    match = _LABEL.match(JV_HINT.sub(" ", text))
    if not match:
        return None
    index = int(match.lastgroup[1:])
    rest = JV_HINT.sub(" ", text)[match.end() :]
    return _LABEL_FIELDS[index], SEPARATORS.sub("", rest).strip()


def _is_separator(text: str) -> bool:
    return not SEPARATORS.sub("", text)


def _continues(row: Row, previous: Row, left: float) -> bool:
    """Whether ``row`` carries on a value broken over lines (no label, just below, aligned)."""
    if row.page != previous.page or previous.y - row.y > 2.5 * previous.size:
        return False
    for cell in row.cells:
        if cell.x0 < left - 2 or _match_label(cell.text) or ":" in cell.text:
            return False
        if cell.text.startswith(STOP_PREFIXES) or cell.text.replace(" ", "") in STOP_ROWS:
            return False
    return True


def _pairs(rows: list[Row]) -> dict[str, list[str]]:
    """Every label with its value: to the right on its row, else in the cell below it."""
    found: dict[str, list[str]] = {}
    for ri, row in enumerate(rows):
        for ci, cell in enumerate(row.cells):
            matched = _match_label(cell.text)
            if matched is None:
                continue
            name, rest = matched
            value, last_row, left = rest, ri, cell.x0
            if not value:
                right = []
                for other in row.cells[ci + 1 :]:
                    if _match_label(other.text):
                        break
                    if not _is_separator(other.text):
                        right.append(SEPARATORS.sub("", other.text))
                value = " ".join(right)
            if not value:
                value, last_row, left = _below(rows, ri, cell)
            value = JV_HINT.sub(" ", value).strip()
            if name in MULTILINE and value:
                previous = rows[last_row]
                for nxt in rows[last_row + 1 :]:
                    if not _continues(nxt, previous, left):
                        break
                    extra = JV_HINT.sub("", nxt.text).strip()
                    if extra:
                        value += extra  # Japanese: no space where a line breaks
                    previous = nxt
            found.setdefault(name, []).append(value.strip())
    return found


def _below(rows: list[Row], ri: int, label: Cell) -> tuple[str, int, float]:
    """The value under a label: the first cell below, on the same page and close, that overlaps
    the label's column and is not itself a label."""
    row = rows[ri]
    for rj in range(ri + 1, len(rows)):
        other = rows[rj]
        if other.page != row.page or row.y - other.y > 3.5 * row.size:
            break
        for cell in other.cells:
            if cell.x1 < label.x0 - 2 or cell.x0 > label.x1 + 2 * label.size:
                continue
            if _match_label(cell.text):
                return "", ri, label.x0
            text = JV_HINT.sub(" ", cell.text).strip()
            if text:
                return SEPARATORS.sub("", text), rj, min(cell.x0, label.x0)
    return "", ri, label.x0


# --- reading --------------------------------------------------------------------------------


def _layout(data: bytes) -> list[Row]:
    if not data.startswith(b"%PDF-"):
        raise NoticeReadError(
            "PDFファイルではありません。保証会社から受け取った「認証キーのお知らせ」のPDFを選んでください。",
            code="not_pdf",
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise NoticeReadError("パスワードで保護されたPDFは読み取れません。", code="encrypted")
        rows = _rows(_runs(reader))
    except NoticeReadError:
        raise
    except Exception:
        raise NoticeReadError(
            "PDFファイルを読み取れません。ファイルが壊れている可能性があります。", code="unreadable"
        ) from None
    if not rows:
        raise NoticeReadError(
            "PDFに文字情報がありません（スキャンした画像など）。保証会社の「ネットデスク」等から"
            "ダウンロードしたPDFをそのまま提出してください。",
            code="no_text",
        )
    return rows


# --- what else people upload instead of, or with, the お知らせ (issue 25) -------------------

MANUAL_HINT = (
    "読み取れない場合は「PDFを読み取れない場合は、保証契約番号と認証キーを手入力して提出する」に"
    "チェックを入れ、お知らせの記載どおりに手入力してください。"
)
# D・Sure's 「電子保証概要」 screen (保証契約一覧 → 電子保証概要), printed: not the お知らせ.
DSURE_SUMMARY = re.compile(r"電子保証概要")
# The title of a 保証証書 print following the お知らせ in the same PDF (保証証書(前払金保証) …).
CERTIFICATE_TITLE = re.compile(r"^保証証書\s*[(（]")


def _rotated(data: bytes) -> bool:
    """Whether the PDF's pages or text are turned (a sideways scan or print): a page /Rotate, or
    most text runs drawn turned a quarter or more. Read only when a notice could not be read."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        turned = total = 0
        for page in reader.pages:
            if page.rotation % 360:
                return True

            def visit(text, cm, tm, font_dict, font_size):
                nonlocal turned, total
                if text and text.strip():
                    total += 1
                    a = tm[0] * cm[0] + tm[1] * cm[2]
                    b = tm[0] * cm[1] + tm[1] * cm[3]
                    turned += abs(b) > abs(a)

            page.extract_text(visitor_text=visit)
        return total > 0 and turned * 2 > total
    except Exception:
        return False


def _split_certificate(rows: list[Row]) -> tuple[list[Row], list[Row]]:
    """(the お知らせ's rows, the rows of a 保証証書 print that follows it in the same PDF)."""
    for i, row in enumerate(rows):
        if i and CERTIFICATE_TITLE.match(re.sub(r"\s+", "", row.text)):
            return rows[:i], rows[i:]
    return rows, []


def read_notice(data: bytes) -> Notice:
    """Read a notice PDF; raise NoticeReadError (with a Japanese message) when it cannot.

    Bounded wherever it is called: the PDF is untrusted, so the reading runs in a child process
    within the uploads' parse budget (PDF_PARSE_SECONDS, ``pdf_memory_budget``, pypdf's
    tightened limits); ``core.sandboxed.BudgetExceeded`` when the file needs more."""
    return read_untrusted_pdf(read_notice_unbounded, data)


def read_notice_unbounded(data: bytes) -> Notice:
    """The reader itself, with no bound: only for a caller already inside a parse budget (the
    hostile-PDF bench). Everything else calls :func:`read_notice`."""
    rows = _layout(data)
    if any(DSURE_SUMMARY.search(re.sub(r"\s+", "", row.text)) for row in rows):
        raise NoticeReadError(
            "このPDFはD・Sure（保証確認サービス）の「電子保証概要」画面を印刷したもので、"
            "「認証キーのお知らせ」ではありません。保証会社から届いた「電子保証にかかる"
            "「認証キー」のお知らせ」のPDFを提出してください。" + MANUAL_HINT,
            code="dsure_summary",
        )
    rows, certificate_rows = _split_certificate(rows)
    found = _pairs(rows)

    def one(name: str, label: str, fold=lambda v: v) -> str:
        values = [fold(v) for v in found.get(name, []) if v]
        if not values:
            if name == "guarantee_number" and _rotated(data):
                raise NoticeReadError(
                    "PDFが回転しているか、スキャンした画像のため、保証契約番号を読み取れません。"
                    "正しい向きのPDF（保証会社からダウンロードしたもの）を提出してください。"
                    + MANUAL_HINT,
                    code="rotated",
                )
            raise NoticeReadError(
                f"{label}が見つかりません。「認証キーのお知らせ」のPDFか確認してください。",
                code=f"{name}_missing",
            )
        if len(set(values)) > 1:
            raise NoticeReadError(
                f"{label}が複数記載されています。1件の保証ごとに1つのPDFを提出してください。",
                code=f"{name}_multiple",
            )
        return values[0]

    number = one("guarantee_number", "保証契約番号", fold_dashes).upper()
    certified = {
        fold_dashes(v).upper() for v in _pairs(certificate_rows).get("guarantee_number", []) if v
    }
    if certified - {number}:
        raise NoticeReadError(
            "お知らせの後ろに印刷された保証証書の保証契約番号がお知らせと一致しません"
            f"（お知らせ: {number} / 保証証書: {'、'.join(sorted(certified - {number}))}）。"
            "1件の保証ごとに、お知らせとその保証証書を1つのPDFにしてください。",
            code="certificate_mismatch",
        )
    key = one("auth_key", "認証キー", lambda v: re.sub(r"\s+", "", v))  # case kept: a credential
    if not KEY_PATTERN.match(key):
        raise NoticeReadError(
            "認証キーの形式が正しくありません（半角英数字8〜32文字）。PDFの記載を確認してください。",
            code="auth_key_malformed",
        )
    product_text = re.sub(r"\s+", "", " ".join(found.get("product", [])))
    product = next((label for word, label in PRODUCT_WORDINGS if word in product_text), "")
    if not product:
        raise NoticeReadError(
            "商品（保証区分）を読み取れません（前払金保証・契約保証・中間前払金保証のいずれか）。",
            code="product_missing",
        )
    texts = [row.text for row in rows]
    issuer = next((m.group(1) for text in texts if (m := ISSUER_PATTERN.search(text))), "")
    issued_on = next((d for text in texts[:6] if (d := parse_wareki(text))), None)
    return Notice(
        construction_name=one("construction_name", "工事名"),
        contractor_name=re.sub(r"\s+", " ", one("contractor_name", "受注者名")).strip(),
        product=product,
        guarantee_number=number,
        auth_key=key,
        issuer=issuer,
        issued_on=issued_on,
    )


def compact(text: str) -> str:
    """For comparisons: NFKC, no spaces, 株式会社 and (株) alike."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text)
    return text.replace("(株)", "株式会社")


def notice_warnings(notice: Notice, *, case, company) -> list[str]:
    """Things staff should look at (the filing is still allowed)."""
    warnings = []
    if compact(notice.construction_name) != compact(case.title):
        warnings.append(
            f"工事名が案件と一致しません（お知らせ: {notice.construction_name}"
            f" / 案件: {case.title}）。"
        )
    if compact(company.name) not in compact(notice.contractor_name):
        warnings.append(
            f"受注者名が事業者名と一致しません（お知らせ: {notice.contractor_name}"
            f" / 事業者: {company.name}）。"
        )
    if not NUMBER_PATTERN.match(notice.guarantee_number):
        warnings.append(
            "保証契約番号が通常の形式（数字5桁-英数字4〜6桁）ではありません: "
            + notice.guarantee_number
        )
    if len(notice.auth_key) != 12:
        warnings.append("認証キーが通常の12文字ではありません。")
    return warnings


def mask_key(key: str | None) -> str:
    """What a person sees instead of a key: never a character of it."""
    return "●●●●●●●●●●●●" if key else ""
