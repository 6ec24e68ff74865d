"""Reading the 「電子保証にかかる「認証キー」のお知らせ」 PDF a surety company issues.

One pure function, :func:`read_notice`, with pypdf's text layer. It copes with the variation of
real notices: spaces inside the labels or not, half- or full-width colons and characters
(NFKC), a title broken over two lines, joint ventures (共同企業体). It refuses with a Japanese
message rather than guessing: no text layer (a scan), no or several 保証契約番号 / 認証キー, a
malformed key.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass

from pypdf import PdfReader

from core.errors import DomainError
from core.wareki import parse_wareki

PRODUCTS = (
    "中間前払金保証",
    "前払金保証",
    "契約保証",
)  # longest first: 中間前払金保証 ⊃ 前払金保証
NUMBER_PATTERN = re.compile(r"^\d{5}-[0-9A-Z]{4,6}$")
KEY_PATTERN = re.compile(r"^[0-9A-Za-z]{8,32}$")
ISSUER_PATTERN = re.compile(r"(\S*建設業(?:信用)?保証\S*(?:株式会社|\(株\)))")
LABELS = {
    "工事名": "construction_name",
    "受注者名": "contractor_name",
    "商品(保証区分)": "product",
    "商品": "product",
    "保証区分": "product",
    "保証契約番号": "guarantee_number",
    "認証キー": "auth_key",
}
JV_HINT = re.compile(r"^\(JVの場合は代表者\)$")


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


def _lines(data: bytes) -> list[str]:
    if not data.startswith(b"%PDF-"):
        raise NoticeReadError(
            "PDFファイルではありません。保証会社から受け取った「認証キーのお知らせ」のPDFを選んでください。",
            code="not_pdf",
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise NoticeReadError("パスワードで保護されたPDFは読み取れません。", code="encrypted")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except NoticeReadError:
        raise
    except Exception:
        raise NoticeReadError(
            "PDFファイルを読み取れません。ファイルが壊れている可能性があります。", code="unreadable"
        ) from None
    lines = [unicodedata.normalize("NFKC", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise NoticeReadError(
            "PDFに文字情報がありません（スキャンした画像など）。保証会社の「ネットデスク」等から"
            "ダウンロードしたPDFをそのまま提出してください。",
            code="no_text",
        )
    return lines


def _label(text: str) -> str | None:
    compact = re.sub(r"\s+", "", text)
    return LABELS.get(compact)


def read_notice(data: bytes) -> Notice:
    """Read a notice PDF; raise NoticeReadError (with a Japanese message) when it cannot."""
    lines = _lines(data)
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        label, sep, value = line.partition(":")
        field = _label(label) if sep else None
        if field is not None:
            found.setdefault(field, []).append(value.strip())
            current = field if field in ("construction_name", "contractor_name") else None
            continue
        if current and not line.startswith(("【", "「", "※")) and ":" not in line:
            if JV_HINT.match(re.sub(r"\s+", "", line)):
                continue  # the template's hint under 受注者名, not a value
            found[current][-1] = (found[current][-1] + line).strip()  # Japanese: no space
            continue
        current = None

    def one(field: str, name: str) -> str:
        values = [v for v in found.get(field, []) if v]
        if not values:
            raise NoticeReadError(
                f"{name}が見つかりません。「認証キーのお知らせ」のPDFか確認してください。",
                code=f"{field}_missing",
            )
        if len(set(values)) > 1:
            raise NoticeReadError(
                f"{name}が複数記載されています。1件の保証ごとに1つのPDFを提出してください。",
                code=f"{field}_multiple",
            )
        return values[0]

    number = re.sub(r"\s+", "", one("guarantee_number", "保証契約番号"))
    key = re.sub(r"\s+", "", one("auth_key", "認証キー"))  # case is kept: it is a credential
    if not KEY_PATTERN.match(key):
        raise NoticeReadError(
            "認証キーの形式が正しくありません（半角英数字8〜32文字）。PDFの記載を確認してください。",
            code="auth_key_malformed",
        )
    product_text = re.sub(r"\s+", "", found.get("product", [""])[0])
    product = next((p for p in PRODUCTS if p in product_text), "")
    if not product:
        raise NoticeReadError(
            "商品（保証区分）を読み取れません（前払金保証・契約保証・中間前払金保証のいずれか）。",
            code="product_missing",
        )
    issuer = next((m.group(1) for line in lines if (m := ISSUER_PATTERN.search(line))), "")
    issued_on = next((d for line in lines[:6] if (d := parse_wareki(line))), None)
    return Notice(
        construction_name=one("construction_name", "工事名"),
        contractor_name=re.sub(
            r"\s*\(JVの場合は代表者\)\s*", " ", one("contractor_name", "受注者名")
        ).strip(),
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
