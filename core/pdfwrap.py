"""Japanese line breaking for printed PDFs (reportlab).

reportlab's CJK word wrap breaks between any two characters, so 「2145番地」 can end up as 「21」 on
one line and 「45番地」 on the next. :func:`break_lines` breaks text the way Japanese print does:

- a run of digits or Latin letters (with the marks inside it: 「8,000,000」「R7.9.4」
  「31072-0001M」, an e-mail address) is never split, and a number stays with its counter suffix
  (「2145番地」「3丁目」「50,000,000円」「第2回」);
- 行頭禁則: no line starts with a closing bracket or a mark such as 、。，．）」』】・ー or a
  small kana;
- 行末禁則: no line ends with an opening bracket such as （「『【;
- a unit wider than the line (a very long URL) is split by character, as a last resort.

:class:`WrappedParagraph` is a reportlab Paragraph that breaks its plain text with
:func:`break_lines` at the width it is laid out in (a table cell or the frame), so the same
text in a narrow cell and across the page both break well.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

# 行頭禁則: characters that may not begin a line.
NO_START = frozenset(
    "、。，．,.・：；:;？！?!ー―‐-〜～…‥）)］]｝}〕〉》」』】〙〗”’』"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻ゝゞヽヾ%％"
)
# 行末禁則: characters that may not end a line.
NO_END = frozenset("（(［[｛{〔〈《「『【〘〖“‘¥￥$＄#＃")

# A run of digits / Latin letters with the marks that join them (decimal points, thousands
# separators, hyphens in numbers, the dots of R7.9.4, e-mail and URL punctuation); a mark only
# counts when another letter or digit follows, so 「2145.」 leaves its full stop to kinsoku.
_ALNUM = r"0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
_JOIN = r".,\-/:@_~+=%?&#\uff0c\uff0e\uff0d\uff0f\uff1a\uff20"
# Words written before a number that belong with it (「第2回」「約1.2km」「金50,000,000円」).
_PREFIXES = ("第", "約", "金", "計", "全", "各", "¥", "￥", "＄", "$")
# Counter suffixes that stay with the number before them (longest first when matching).
COUNTERS = tuple(
    sorted(
        (
            "番地",
            "番",
            "号室",
            "号線",
            "号",
            "丁目",
            "丁",
            "円",
            "万円",
            "千円",
            "億円",
            "万",
            "億",
            "年度",
            "年",
            "か月",
            "ヶ月",
            "ケ月",
            "カ月",
            "箇月",
            "月",
            "日間",
            "日",
            "時間",
            "時",
            "分",
            "秒",
            "件",
            "回",
            "名",
            "人",
            "通",
            "部",
            "枚",
            "頁",
            "ページ",
            "階",
            "条",
            "項",
            "号様式",
            "歳",
            "社",
            "台",
            "本",
            "個",
            "箇所",
            "か所",
            "ヶ所",
            "ケ所",
            "割",
            "％",
            "%",
            "㎡",
            "㎞",
            "ｍ",
            "m",
            "km",
            "メートル",
            "キロメートル",
            "平方メートル",
        ),
        key=len,
        reverse=True,
    )
)
_RUN = re.compile(
    "(?:" + "|".join(re.escape(p) for p in _PREFIXES) + ")?"
    rf"[{_ALNUM}]+(?:[{_JOIN}]+[{_ALNUM}]+)*"
    "(?:" + "|".join(re.escape(c) for c in COUNTERS) + ")?"
)
# Between any two units a line may break, unless kinsoku forbids it; an ASCII space at a break is
# dropped (a full-width space is kept: it is part of how the city's forms are laid out).
_SPACES = " \t"


def units(text: str) -> list[str]:
    """``text`` cut into the pieces a line break may fall between: each digit/Latin run (with
    its prefix and counter) whole, every other character alone."""
    out: list[str] = []
    i = 0
    while i < len(text):
        match = _RUN.match(text, i)  # never empty: a run holds at least one letter or digit
        if match:
            out.append(match.group())
            i = match.end()
        else:
            out.append(text[i])
            i += 1
    return out


def _width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


def _legal(line: list[str], rest_first: str) -> bool:
    """A break between ``line`` and a next line starting with ``rest_first`` is allowed."""
    return not ((rest_first and rest_first[0] in NO_START) or (line and line[-1][-1] in NO_END))


def _break_one(text: str, font: str, size: float, width: float) -> list[str]:
    pieces = units(text)
    lines: list[str] = []
    line: list[str] = []
    line_width = 0.0
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        piece_width = _width(piece, font, size)
        if not line and piece in _SPACES and lines:
            i += 1  # no line starts with the space a break fell on
            continue
        if line_width + piece_width <= width or not line:
            if piece_width > width and not line:
                # Wider than a whole line: split it by character, as a last resort.
                chars = list(piece)
                pieces[i : i + 1] = chars
                if len(chars) == 1:  # one character wider than the line: it goes alone
                    lines.append(piece)
                    i += 1
                continue
            line.append(piece)
            line_width += piece_width
            i += 1
            continue
        # ``piece`` does not fit: break before it, moving units down while kinsoku forbids
        # the break (追い出し), but never emptying the line.
        cut = len(line)
        while cut > 1 and not _legal(line[:cut], (line[cut:] or [piece])[0]):
            cut -= 1
        if not _legal(line[:cut], (line[cut:] or [piece])[0]):
            cut = len(line)  # nowhere legal: break where it overflows
        carried = line[cut:]
        lines.append("".join(line[:cut]).rstrip(_SPACES))
        line = []
        line_width = 0.0
        pieces[i:i] = carried
    if line or not lines:
        lines.append("".join(line).rstrip(_SPACES))
    return lines


def break_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points in ``font`` at ``size`` (a unit
    wider than the line alone excepted), Japanese style; explicit newlines are kept."""
    # A hair narrower than the room, so that reportlab's own measure never re-breaks a line.
    room = max(width - 0.01, 0.0)
    return [
        line
        for paragraph in (text or "").split("\n")
        for line in _break_one(paragraph, font, size, room)
    ]


class WrappedParagraph(Paragraph):
    """A Paragraph of plain text whose lines are chosen by :func:`break_lines` for the width it
    is laid out in (then set with explicit line breaks)."""

    def __init__(self, text, style=None, *args, plain: str | None = None, **kwargs) -> None:
        super().__init__(text, style, *args, **kwargs)
        self._plain = plain
        self._broken_for: float | None = None

    @classmethod
    def of(cls, text: str, style) -> WrappedParagraph:
        return cls(escape(text or "").replace("\n", "<br/>"), style, plain=text or "")

    def wrap(self, availWidth, availHeight):
        if self._plain is not None and self._broken_for != availWidth:
            room = availWidth - self.style.leftIndent - self.style.rightIndent
            lines = break_lines(self._plain, self.style.fontName, self.style.fontSize, room)
            Paragraph.__init__(self, "<br/>".join(escape(line) for line in lines), self.style)
            self._broken_for = availWidth
        return super().wrap(availWidth, availHeight)
