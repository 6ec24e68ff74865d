"""The contract PDF checked against the case before it is sent.

The text of the uploaded contract is read with pypdf and the values a clerk would compare by
eye — 工事名, 請負代金額 (with 取引に係る消費税額), 工期, 受注者の商号 and 住所 — are compared with
the contract (which came from the case) and the awarded company after normalisation: NFKC,
spaces, kanji numerals in addresses (三丁目 → 3丁目), 和暦 ↔ 西暦 dates, 「金 50,000,000 円」
amounts. Each item is 一致, 不一致 or 見つからない. A PDF without text (a scan) cannot be checked:
it is reported as such.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from core.sandboxed import BudgetExceeded
from core.text import format_yen, kanji_to_int
from core.uploads import read_untrusted_pdf
from core.wareki import find_dates, format_wareki

logger = logging.getLogger(__name__)

MATCH = "一致"
MISMATCH = "不一致"
NOT_FOUND = "見つからない"

# A PDF with less text than this is treated as a scan (no text layer).
MIN_TEXT_CHARS = 20
MAX_PAGES_READ = 10


@dataclass(frozen=True)
class CheckItem:
    name: str
    expected: str
    found: str
    result: str  # MATCH / MISMATCH / NOT_FOUND


@dataclass
class PdfCheck:
    file_name: str
    items: list[CheckItem] = field(default_factory=list)
    scanned: bool = False
    unreadable: bool = False

    @property
    def mismatches(self) -> list[CheckItem]:
        return [i for i in self.items if i.result == MISMATCH]

    @property
    def warning(self) -> str:
        if self.unreadable:
            return "PDFの文字を読み取れませんでした。内容を目視で確認してください。"
        if self.scanned:
            return (
                "文字情報のないPDF（スキャン画像など）のため照合できません。"
                "内容を目視で確認してから送信してください。"
            )
        if any(i.result == NOT_FOUND for i in self.items):
            return "見つからない項目があります。契約書の記載を目視で確認してください。"
        return ""

    def summary(self) -> dict:
        """For the audit record."""
        return {
            "file": self.file_name,
            "differences": [
                {"field": i.name, "case": i.expected, "pdf": i.found} for i in self.mismatches
            ],
        }


# --- normalisation -----------------------------------------------------------------------------

_KANJI_NUMBER = re.compile(r"[〇一二三四五六七八九十百千]+(?=丁目|番地|番|号|条|線)")
_SPACE = re.compile(r"[\s\u3000]+")
_COMPANY_FORMS = {
    "(株)": "株式会社",
    "(有)": "有限会社",
    "(合)": "合同会社",
    "(資)": "合資会社",
    "(名)": "合名会社",
}


def norm(text: str | None) -> str:
    """NFKC, no spaces, kanji numerals before 丁目/番地/号 as digits, company forms spelled out."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _SPACE.sub("", text)
    text = _KANJI_NUMBER.sub(lambda m: str(kanji_to_int(m.group(0))), text)
    for short, full in _COMPANY_FORMS.items():
        text = text.replace(short, full)
    return text


def norm_address(text: str | None) -> str:
    """Addresses compare as 「本城3-2145」, written 「本城三丁目2145番地」 or 「本城3-2145」."""
    text = norm(text)
    text = re.sub(r"(\d+)(?:丁目|番地|番|号|-|ー|―|‐)", r"\1-", text)
    return text.rstrip("-")


def _amount(text: str) -> int | None:
    digits = re.sub(r"[^\d]", "", text)
    return int(digits) if digits else None


# --- reading -----------------------------------------------------------------------------------


def extract_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    parts = []
    for page in reader.pages[:MAX_PAGES_READ]:
        parts.append(page.extract_text() or "")
    return unicodedata.normalize("NFKC", "\n".join(parts))


def _line_after(text: str, labels: str) -> tuple[str, int] | None:
    """The rest of the first line that starts with (a numbered) one of ``labels``."""
    pattern = re.compile(rf"(?:{labels})[\s:：]*(.+)")
    for line in text.splitlines():
        compact = _SPACE.sub("", line)
        match = pattern.search(compact)
        if match:
            return match.group(1).strip(), text.find(line)
    return None


_TITLE_LABELS = "工事名|業務名|委託業務名|委託名|件名|物件名"
_AMOUNT_LABELS = "請負代金額|契約金額|業務委託料|委託料|請負金額|代金額"
_TAX_PATTERN = re.compile(r"取引に係る消費税(?:額|及び地方消費税の額)[^\d]*?金?\s*([\d,]+)\s*円")
_PERIOD_LABELS = "工期|履行期間|契約期間|委託期間|納入期限"
_YEN = re.compile(r"金?\s*([\d,]{1,20})\s*円")


_CONTRACTOR_BLOCK = re.compile(r"受注者[:：]?((?:住所|氏名|商号|名称).*?)(?=発注者|-\d+-|$)", re.S)


def _contractor_block(text: str) -> str:
    """The signature block of the 受注者 (「受注者　住所 …　氏名 …」), not the 約款's mentions."""
    match = _CONTRACTOR_BLOCK.search(_SPACE.sub("", text))
    return match.group(1)[:400] if match else ""


def check_text(text: str, *, contract, company) -> list[CheckItem]:
    items: list[CheckItem] = []
    compact = norm(text)

    # 工事名
    found = _line_after(text, _TITLE_LABELS)
    expected = contract.title
    if found and norm(found[0]):
        result = MATCH if norm(found[0]) == norm(expected) else MISMATCH
        items.append(CheckItem("工事名", expected, found[0], result))
    elif norm(expected) and norm(expected) in compact:
        items.append(CheckItem("工事名", expected, expected, MATCH))
    else:
        items.append(CheckItem("工事名", expected, "", NOT_FOUND))

    # 請負代金額
    found_amount = None
    line = _line_after(text, _AMOUNT_LABELS)
    if line:
        money = _YEN.search(line[0])
        found_amount = _amount(money.group(1)) if money else None
    expected_text = format_yen(contract.amount)
    if found_amount is None:
        items.append(CheckItem("請負代金額", expected_text, "", NOT_FOUND))
    else:
        result = MATCH if found_amount == contract.amount else MISMATCH
        items.append(CheckItem("請負代金額", expected_text, format_yen(found_amount), result))

    # 取引に係る消費税額
    tax = _TAX_PATTERN.search(_SPACE.sub("", text))
    found_tax = _amount(tax.group(1)) if tax else None
    if contract.tax_amount is None:
        items.append(
            CheckItem(
                "取引に係る消費税額",
                "（契約に未入力）",
                format_yen(found_tax) if found_tax is not None else "",
                NOT_FOUND,
            )
        )
    elif found_tax is None:
        items.append(
            CheckItem("取引に係る消費税額", format_yen(contract.tax_amount), "", NOT_FOUND)
        )
    else:
        result = MATCH if found_tax == contract.tax_amount else MISMATCH
        items.append(
            CheckItem(
                "取引に係る消費税額", format_yen(contract.tax_amount), format_yen(found_tax), result
            )
        )

    # 工期
    expected_period = _period_text(contract.period_start, contract.period_end)
    line = _line_after(text, _PERIOD_LABELS)
    dates = find_dates(line[0]) if line else []
    if len(dates) < 2:
        items.append(CheckItem("工期", expected_period, line[0] if line else "", NOT_FOUND))
    else:
        found_period = _period_text(dates[0], dates[1])
        same = (dates[0], dates[1]) == (contract.period_start, contract.period_end)
        items.append(CheckItem("工期", expected_period, found_period, MATCH if same else MISMATCH))

    # 受注者の商号 and 住所 (the signature block)
    block = _contractor_block(text)
    name = company.name if company else ""
    name_line = re.search(r"(?:氏名|商号又は名称|名称|商号)[:：]?(.+?)(?:代表|$)", block)
    if not block or not name:
        items.append(CheckItem("受注者の商号", name or "（落札者未登録）", "", NOT_FOUND))
    elif norm(name) in norm(block):
        items.append(CheckItem("受注者の商号", name, name, MATCH))
    else:
        found_name = name_line.group(1) if name_line else block[:40]
        items.append(CheckItem("受注者の商号", name, found_name, MISMATCH))

    address = company.address if company else ""
    address_line = re.search(r"住所[:：]?(.+?)(?:氏名|商号|名称|$)", block)
    if not address_line or not address:
        items.append(CheckItem("受注者の住所", address or "（未登録）", "", NOT_FOUND))
    else:
        found_address = address_line.group(1)
        same = norm_address(found_address) == norm_address(address)
        items.append(CheckItem("受注者の住所", address, found_address, MATCH if same else MISMATCH))
    return items


def _period_text(start: dt.date | None, end: dt.date | None) -> str:
    if not start or not end:
        return "（未入力）"
    return f"{format_wareki(start)}から{format_wareki(end)}まで"


def check_pdf(data: bytes, *, contract, company, file_name: str = "") -> PdfCheck:
    """Compare one contract PDF with the contract and the awarded company."""
    check = PdfCheck(file_name=file_name)
    try:
        # The PDF's text is read like any untrusted PDF: in a child within the parse budget.
        text = read_untrusted_pdf(extract_text, data)
    except (PdfReadError, ValueError, KeyError, TypeError, BudgetExceeded) as exc:
        logger.warning("contract pdf text unreadable: %s", exc)
        check.unreadable = True
        return check
    if len(_SPACE.sub("", text)) < MIN_TEXT_CHARS:
        check.scanned = True
        return check
    check.items = check_text(text, contract=contract, company=company)
    return check


def check_contract(contract) -> PdfCheck | None:
    """The check of the contract's first PDF (the 契約書; later files are 約款 and attachments),
    or None when it has no PDF yet."""
    first = contract.files.select_related("file").order_by("order", "id").first()
    if first is None:
        return None
    with first.file.file.open("rb") as handle:
        data = handle.read()
    return check_pdf(
        data,
        contract=contract,
        company=contract.case.awarded_company,
        file_name=first.file.original_name,
    )
