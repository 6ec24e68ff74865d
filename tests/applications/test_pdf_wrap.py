"""Issue 23 item 17: the printed 申請書 broke an address inside 「2145番地」. Lines are broken the
Japanese way (core.pdfwrap): digit/Latin runs whole, a number with its counter, kinsoku."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from applications.pdf import MINCHO, application_pdf
from core.pdfwrap import NO_END, NO_START, break_lines, units
from tests.applications.helpers import VALID, filed

SIZE = 10.5
ZEN = SIZE  # one full-width character of the CID fonts is 1 em wide


def lines_of(text: str, chars: float) -> list[str]:
    return break_lines(text, MINCHO, SIZE, chars * ZEN)


def test_units_keep_runs_and_counters_whole():
    assert units("本城3丁目2145番地") == ["本", "城", "3丁目", "2145番地"]
    assert units("R7.9.4に金50,000,000円。") == ["R7.9.4", "に", "金50,000,000円", "。"]
    assert units("31072-0001M 第2回") == ["31072-0001M", " ", "第2回"]
    assert units("２１４５番地") == ["２１４５番地"]  # full-width digits too
    assert units("2145.") == ["2145", "."]  # a full stop is not part of the number


@pytest.mark.parametrize("chars", [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])
def test_number_and_counter_never_split(chars):
    text = "栃木県足利市本城三丁目字東山2145番地（足利市役所前ビル十二階）"
    lines = lines_of(text, chars)
    assert "".join(lines) == text  # nothing lost, nothing added
    assert sum("2145番地" in line for line in lines) == 1
    for line in lines:
        assert stringWidth(line, MINCHO, SIZE) <= chars * ZEN


@pytest.mark.parametrize("chars", range(5, 20))
def test_kinsoku(chars):
    text = "「令和7年9月4日」に受け付けました。（到達番号は、R7-000008です。）ご確認ください。"
    lines = lines_of(text, chars)
    assert "".join(lines) == text
    for first, second in zip(lines, lines[1:], strict=False):
        assert second[0] not in NO_START, (first, second)
        assert first[-1] not in NO_END, (first, second)
    assert any("R7-000008" in line for line in lines)


def test_latin_words_break_at_spaces_and_the_space_is_dropped():
    lines = break_lines("Ashikaga City Hall, Motomachi", MINCHO, SIZE, 80)
    assert lines == ["Ashikaga City", "Hall, Motomachi"]


def test_a_unit_wider_than_the_line_is_split_by_character():
    address = "very.long.signer.address.for.the.contract@ashikaga-test-construction.example"
    lines = break_lines(address, MINCHO, SIZE, 100)
    assert "".join(lines) == address and len(lines) > 1
    assert all(stringWidth(line, MINCHO, SIZE) <= 100 for line in lines)


def test_newlines_kept_and_empty_text():
    assert lines_of("一行目\n\n三行目", 10) == ["一行目", "", "三行目"]
    assert lines_of("", 10) == [""]


@pytest.mark.django_db
def test_printed_form_keeps_2145_banchi_on_one_line(case, contractor):
    """The applicant's address (the demo's), in its narrow cell at the top right, does not fit on
    one line: reportlab's CJK wrap printed 「…3丁目2145番」 / 「地」; now the line breaks before
    the number and 「2145番地」 is whole."""
    address = VALID["econtract"]["address"]
    assert address == "栃木県足利市本城3丁目2145番地"
    application = filed(case, contractor, data={**VALID["econtract"], "address": address})
    reader = PdfReader(io.BytesIO(application_pdf(application)))
    lines = [line.strip() for line in reader.pages[0].extract_text().splitlines()]
    at = lines.index("住所")
    assert lines[at + 1 : at + 3] == ["栃木県足利市本城3丁目", "2145番地"]
