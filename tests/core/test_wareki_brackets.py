"""和暦 with the 西暦 in brackets, and 平成 dates after the 改元 (issue 25 item 2)."""

import datetime as dt

import pytest

from core.wareki import (
    era_change_note,
    find_dates,
    parse_wareki,
    strip_bracketed_western_year,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和元年（2019年）5月7日", dt.date(2019, 5, 7)),
        ("令和7年(2025年)9月4日", dt.date(2025, 9, 4)),
        ("令和７年（２０２５）９月４日", dt.date(2025, 9, 4)),  # full width, no 年 in brackets
        ("発行日 令和 7 年 （2025年） 9 月 4 日", dt.date(2025, 9, 4)),
        ("平成30年（2018年）4月1日", dt.date(2018, 4, 1)),
    ],
)
def test_bracketed_western_year_is_read(text, expected):
    assert parse_wareki(text) == expected
    assert find_dates(f"工期 {text}から") == [expected]


def test_a_bracketed_year_that_contradicts_the_era_is_not_guessed():
    assert parse_wareki("令和元年（2020年）5月7日", whole=True) is None
    assert strip_bracketed_western_year("令和元年(2020年)5月7日") == "令和元年(2020年)5月7日"


def test_whole_input_with_brackets():
    assert parse_wareki("令和元年（2019年）5月7日", whole=True) == dt.date(2019, 5, 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("平成31年4月30日", dt.date(2019, 4, 30)),  # still 平成
        ("平成31年5月1日", dt.date(2019, 5, 1)),  # after the 改元: read, 令和元年5月1日
        ("H31.12.31", dt.date(2019, 12, 31)),
        ("平成32年1月1日", None),  # not the year of the change
        ("令和元年4月30日", None),  # before 令和 began: never existed
        ("平成31年2月30日", None),
    ],
)
def test_heisei_after_the_era_change(text, expected):
    """Documents dated 平成 after 2019-05-01 stay valid (government guidance at the 改元)."""
    assert parse_wareki(text, whole=True) == expected


def test_heisei_after_the_change_is_said():
    assert era_change_note("平成31年5月1日") == (
        "平成31年5月1日は令和元年5月1日として読みました（改元前の元号の日付も有効です）。"
    )
    assert era_change_note("平成31年4月30日") == ""
    assert era_change_note("令和元年5月1日") == ""


def test_date_field_reads_heisei_and_says_so():
    from applications.fields import DateField

    field = DateField()
    assert field.clean("平成31年5月1日") == dt.date(2019, 5, 1)
    assert "令和元年5月1日として読みました" in field.help_text
