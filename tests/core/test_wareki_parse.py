"""和暦 input: 漢数字, 元年, initials with slashes, and dates that never existed (issue 16)."""

from datetime import date

import pytest

from applications.fields import DateField
from core.wareki import parse_wareki


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和7年9月4日", date(2025, 9, 4)),
        ("令和七年九月四日", date(2025, 9, 4)),
        ("令和元年五月一日", date(2019, 5, 1)),
        ("令和十年十二月三十一日", date(2028, 12, 31)),
        ("令和７年９月４日", date(2025, 9, 4)),  # full-width digits
        ("R7/9/4", date(2025, 9, 4)),
        ("R07/09/04", date(2025, 9, 4)),
        ("r7.9.4", date(2025, 9, 4)),
        ("Ｒ７．９．４", date(2025, 9, 4)),
        ("H31/4/30", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("2025/9/4", date(2025, 9, 4)),
        ("二〇二五年九月四日", date(2025, 9, 4)),
        ("発行日：令和７年９月４日", date(2025, 9, 4)),
    ],
)
def test_accepted_forms(text, expected):
    """docs/domain.md §6: accept 和暦 input (R6.4.1, 令和6年4月1日, 令和元年) with NFKC; issue 16
    adds 漢数字 (令和七年九月四日) and 「R7/9/4」."""
    assert parse_wareki(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "令和元年4月30日",  # 令和 began 2019-05-01 (docs/domain.md §6)
        "平成元年1月7日",  # 平成 began 1989-01-08
        "平成32年1月1日",  # 平成 after the 改元 is read in 2019 only (issue 25: 平成31年5月1日 is)
        "昭和64年1月8日",
        "令和7年2月29日",  # 2025 is not a leap year
        "令和7年13月1日",
        "令和0年1月1日",
    ],
)
def test_dates_that_never_existed_are_refused(text):
    """docs/domain.md §6 era boundaries (令和 2019-05-01, 平成 1989-01-08): a date outside its era
    never existed and is not silently moved into the next one."""
    assert parse_wareki(text) is None


def test_era_boundaries_both_sides():
    """The first day of each era is accepted, the day before is not (docs/domain.md §6)."""
    assert parse_wareki("令和元年5月1日") == date(2019, 5, 1)
    assert parse_wareki("平成31年4月30日") == date(2019, 4, 30)
    assert parse_wareki("令和元年4月30日") is None
    assert parse_wareki("平成元年1月8日") == date(1989, 1, 8)
    assert parse_wareki("平成元年1月7日") is None


def test_form_date_field_takes_what_people_type():
    """A form date typed without the date picker: 和暦 and 漢数字 accepted; a date that never
    existed gets the field's Japanese error."""
    field = DateField()
    assert field.clean("2025-09-04") == date(2025, 9, 4)
    assert field.clean("令和七年九月四日") == date(2025, 9, 4)
    assert field.clean("R7/9/4") == date(2025, 9, 4)
    for bad, message in (
        ("令和元年4月30日", "「令和元年4月30日」という日付はありません"),
        ("令和7年2月29日", "「令和7年2月29日」という日付はありません"),
        ("令和7年9月4日ごろ", "日付として読めません"),
        ("0004-07-09", "明治元年（1868年10月23日）より前の日付は入力できません"),
        ("1868-10-22", "明治元年（1868年10月23日）より前の日付は入力できません"),
    ):
        with pytest.raises(Exception) as exc_info:
            field.clean(bad)
        assert message in str(exc_info.value)
        assert "例: 令和7年9月4日" in str(exc_info.value)
    assert field.clean("1868-10-23") == date(1868, 10, 23)  # 明治元年 is accepted


def test_the_date_box_shows_wareki_back_and_offers_a_calendar():
    """Issue 23 item 1: a text box (和暦 can be typed; the browser's date input turned
    「令和7年9月4日」 into 0004-07-09) with an optional calendar beside it, used when the box is
    empty (no JavaScript needed)."""
    from django import forms

    class Form(forms.Form):
        on = DateField(label="日付")

    html = str(Form(initial={"on": date(2025, 9, 4)})["on"])
    assert 'type="text"' in html and 'value="令和7年9月4日"' in html
    assert 'type="date"' in html and 'name="on__picker"' in html
    assert Form({"on": "", "on__picker": "2025-09-04"}).is_valid()
    form = Form({"on": "R7.9.4", "on__picker": "2030-01-01"})  # what was typed wins
    assert form.is_valid() and form.cleaned_data["on"] == date(2025, 9, 4)
    stored_garbage = str(Form(initial={"on": "0004-07-09"})["on"])
    assert "西暦4年7月9日" in stored_garbage  # shown, not a 500
