from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from core.text import format_yen, normalize, normalize_compact
from core.wareki import fiscal_year, format_fiscal_year, format_wareki


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 11, 25), "令和7年11月25日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1912, 7, 29), "明治45年7月29日"),
        (date(1868, 10, 23), "明治元年10月23日"),
    ],
)
def test_format_wareki_boundaries(d, expected):
    assert format_wareki(d) == expected


def test_before_meiji_is_refused():
    with pytest.raises(ValueError):
        format_wareki(date(1868, 10, 22))


def test_fiscal_year():
    assert fiscal_year(date(2026, 3, 31)) == 2025
    assert fiscal_year(date(2026, 4, 1)) == 2026
    assert format_fiscal_year(2025) == "令和7年度"
    assert format_fiscal_year(2019) == "令和元年度"


def test_template_filters():
    out = Template("{{ d|wareki }} {{ dt|wareki }} {{ amount|yen }} {{ none|yen }}").render(
        Context(
            {
                "d": date(2025, 11, 25),
                # 2019-04-30 23:30 in UTC is already 2019-05-01 in Tokyo.
                "dt": datetime(2019, 4, 30, 23, 30, tzinfo=ZoneInfo("UTC")),
                "amount": 50_000_000,
                "none": None,
            }
        )
    )
    assert out == "令和7年11月25日 令和元年5月1日 50,000,000円 —"


def test_format_yen():
    assert format_yen(0) == "0円"
    assert format_yen(1234567) == "1,234,567円"


def test_normalize_nfkc():
    assert normalize("　ＡＢＣ１２３　　足利\u3000市 ") == "ABC123 足利 市"
    assert normalize_compact("３１０７２－０００１Ｍ") == "31072-0001M"
    assert normalize(None) == ""
