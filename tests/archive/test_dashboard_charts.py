"""Issue 23: the 年度 dashboard's pictures against the known archive (tests/archive/conftest.py):
this year against last year, amounts by month, by 担当課, the spread of days 送信→締結."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.dashboard_charts import dashboard_charts

pytestmark = pytest.mark.django_db


def _charts(cases):
    return {
        c.key: c
        for c in dashboard_charts(
            year=2025, cases=cases, year_label="令和7年度", last_label="令和6年度"
        )
    }


def test_figures_behind_the_pictures(dataset, department):
    from cases.models import Case

    charts = _charts(Case.objects.all())
    years = {row[0]: row[1:] for row in charts["years"].rows}
    assert years["合計"] == ["4件", "1件"]  # a, b, c, d against e (2024-06)
    assert years["5月"] == ["1件", "0件"] and years["6月"] == ["0件", "1件"]
    amounts = dict((row[0], row[1]) for row in charts["amounts"].rows)
    assert amounts["5月"] == "55,000,000円" and amounts["2月"] == "66,000,000円"
    assert amounts["合計"] == "138,600,000円"
    departments = {row[0]: row[1:] for row in charts["departments"].rows}
    assert departments[department.name] == ["3件", "127,600,000円"]
    assert departments["建築住宅課"] == ["1件", "11,000,000円"]
    days = dict((row[0], row[1]) for row in charts["days"].rows)
    assert days["2〜3日"] == "4件" and sum(int(v[:-1]) for v in days.values()) == 4
    for chart in charts.values():
        assert chart.svg.startswith("<svg") and 'role="img"' in chart.svg

    only = _charts(Case.objects.filter(department=department))
    assert {row[0] for row in only["departments"].rows} == {department.name}


def test_a_fixed_number_of_queries(dataset):
    from cases.models import Case

    with CaptureQueriesContext(connection) as queries:
        _charts(Case.objects.all())
    assert len(queries) == 2


def test_names_in_the_svg_are_escaped(dataset, department):
    from cases.models import Case

    department.name = "<script>課"
    department.save()
    svg = _charts(Case.objects.all())["departments"].svg
    assert "<script>" not in svg and "&lt;script&gt;課" in svg


def test_the_dashboard_page_shows_the_pictures_with_their_tables(client, section_staff, dataset):
    client.force_login(section_staff)
    text = client.get(reverse("admin:contracts_contract_dashboard"), {"year": 2025}).content
    text = text.decode()
    for key in ("years", "amounts", "departments", "days"):
        assert f'id="chart-{key}"' in text
    assert text.count('role="img"') == 5  # today's chart and the four new ones
    assert "表で見る" in text and "127,600,000円" in text
    assert "None" not in text
