"""Input normalisation: what a person types is NFKC-normalised before it is validated."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(value: str | None) -> str:
    """NFKC (full-width digits, letters and spaces to their plain forms), trimmed, spaces folded."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()


def tidy(value: str | None) -> str:
    """A name or title as written: trimmed, each run of spaces (full-width too) and line breaks
    one space, every other character kept (㈱ and （その２） stay; NFKC is for matching and
    search, not for what is stored)."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value)).strip()


def normalize_compact(value: str | None) -> str:
    """As :func:`normalize`, with every space removed (for numbers and comparisons)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value or "")))


def format_yen(amount: int | None) -> str:
    """50000000 → 「50,000,000円」; None → 「—」."""
    if amount is None:
        return "—"
    return f"{int(amount):,}円"


# Every character a PDF or a keyboard puts where an ASCII hyphen is meant: minus sign, the
# Unicode hyphens and dashes, full-width hyphen-minus, box-drawing lines and the 長音 (chōon,
# full and half width), which IMEs and some PDF fonts produce for 「-」 in a number.
DASH_LOOKALIKES = (
    "\u00ad\u02d7\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2500\u2501\u2796"
    "\ufe58\ufe63\uff0d\u30fc\uff70"
)
_DASHES = str.maketrans(dict.fromkeys(DASH_LOOKALIKES, "-"))


def fold_dashes(value: str | None) -> str:
    """For identifiers (保証契約番号 …): NFKC, every dash look-alike to 「-」, no spaces.

    Never for names or titles: there the 長音 「ー」 is a letter.
    """
    return normalize_compact(value).translate(_DASHES)


# 異体字 seen in people's names → the common form, to tell whether two typed names are the same
# person (照査技術者 ≠ 管理技術者). Small and conservative: pairs that registries and name-matching
# tables (e.g. 住民基本台帳 文字, 戸籍統一文字 同定) treat as the same name character. NFKC already
# folds widths and most CJK compatibility ideographs, but not the "unified" ones such as 﨑 U+FA11.
NAME_VARIANTS = {
    "髙": "高",
    "﨑": "崎",
    "嵜": "崎",
    "碕": "崎",
    "邊": "辺",
    "邉": "辺",
    "澤": "沢",
    "濱": "浜",
    "濵": "浜",
    "齋": "斎",
    "齊": "斉",
    "櫻": "桜",
    "國": "国",
    "廣": "広",
    "嶋": "島",
    "嶌": "島",
    "冨": "富",
    "藏": "蔵",
    "德": "徳",
    "惠": "恵",
    "眞": "真",
    "壽": "寿",
    "龍": "竜",
    "瀨": "瀬",
    "槇": "槙",
    "桒": "桑",
    "栁": "柳",
    "黑": "黒",
    "淺": "浅",
    "增": "増",
    "實": "実",
    "條": "条",
    "彌": "弥",
    "與": "与",
    "萬": "万",
    "榮": "栄",
    "圓": "円",
    "靜": "静",
    "鐵": "鉄",
    "﨔": "欅",
}
_NAME_FOLD = str.maketrans(NAME_VARIANTS)
# Ideographic variation selectors (IVS, U+E0100–E01EF) and the standard ones (U+FE00–FE0F).
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def fold_name(value: str | None) -> str:
    """A person's name for comparison: NFKC (widths), no spaces, no variation selectors, and the
    異体字 of :data:`NAME_VARIANTS` folded (髙橋 = 高橋, 山﨑 = 山崎, 渡邊 = 渡邉 = 渡辺)."""
    text = _VARIATION_SELECTORS.sub("", normalize_compact(value).replace("\u3000", ""))
    return text.translate(_NAME_FOLD)


# --- 漢数字 ---------------------------------------------------------------------------------------

KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}


def kanji_to_int(text: str) -> int:
    """Arabic or kanji numerals: 「7」→7, 「三」→3, 「十二」→12, 「二千百四十五」→2145, and digit by
    digit 「二〇二五」→2025."""
    if text.isdigit():
        return int(text)
    if not any(ch in KANJI_UNITS for ch in text):
        return int("".join(str(KANJI_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in KANJI_DIGITS:
            current = KANJI_DIGITS[ch]
        else:
            total += (current or 1) * KANJI_UNITS[ch]
            current = 0
    return total + current
