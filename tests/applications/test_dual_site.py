"""専任 under the 2024 amendment (issue 25 item 6): the 兼任特例 (2現場) from 2024-12-13 under
1億円 (建築一式 2億円), with the other site, a 連絡員 and the pledge; 専任 thresholds unchanged."""

import datetime as dt

import pytest
from django.http import QueryDict

from applications.kinds import BY_CODE
from applications.kinds.rules import dual_site_problems, dual_site_rule
from tests.applications.helpers import VALID
from tests.factories import CaseFactory

D = dt.date


def test_the_rule_starts_on_2024_12_13():
    assert dual_site_rule(D(2024, 12, 12)) is None
    assert dual_site_rule(D(2024, 12, 13)).amount == 100_000_000


@pytest.mark.parametrize(
    ("made_on", "amount", "building", "ok"),
    [
        (D(2024, 12, 13), 99_999_999, False, True),
        (D(2024, 12, 13), 100_000_000, False, False),
        (D(2025, 6, 1), 199_999_999, True, True),
        (D(2025, 6, 1), 200_000_000, True, False),
        (D(2024, 12, 12), 50_000_000, False, False),
    ],
)
def test_dual_site_boundaries(made_on, amount, building, ok):
    assert (dual_site_problems(made_on, amount, building=building) == []) is ok


@pytest.fixture
def works(db, company):
    return CaseFactory(awarded_company=company, amount=60_000_000)


def bind(case, company, **data):
    q = QueryDict(mutable=True)
    for key, value in {**VALID["site_agent"], **data}.items():
        q[key] = value
    return BY_CODE["site_agent"].form(data=q, case=case, company=company)


DUAL = {
    "full_time": "dual",
    "dual_other_title": "栃木県 県道足利太田線舗装工事（足利市福居町地内）",
    "dual_liaison": "鈴木 五郎 0284-00-0000",
    "dual_pledge": "on",
}


@pytest.mark.django_db
def test_non_full_time_is_refused_and_the_dual_option_named(works, company):
    form = bind(works, company, full_time="part")
    assert (
        "2現場を兼任する場合は「専任（兼任特例）」を選んでください。" in form.errors["full_time"][0]
    )


@pytest.mark.django_db
def test_dual_with_its_particulars_is_accepted(works, company):
    form = bind(works, company, **DUAL)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["dual_liaison"] == "鈴木 五郎 0284-00-0000"


@pytest.mark.django_db
def test_dual_needs_the_other_site_the_liaison_and_the_pledge(works, company):
    form = bind(works, company, full_time="dual")
    assert form.errors["dual_other_title"] == ["兼任する他の工事を入力してください。"]
    assert form.errors["dual_liaison"] == ["連絡員の氏名・連絡先を入力してください。"]
    assert form.errors["dual_pledge"] == ["兼任特例の要件を満たしていることの確認が必要です。"]


@pytest.mark.django_db
def test_dual_refused_from_100_million(works, company):
    works.amount = 100_000_000
    form = bind(works, company, **DUAL)
    assert form.errors["full_time"] == [
        "請負代金額が100,000,000円以上（建築一式工事以外）のため、専任の技術者の兼任特例は"
        "使えません（建設業法第26条第3項）。"
    ]
    form = bind(works, company, **DUAL, works_kind="building")
    assert form.is_valid(), form.errors  # 建築一式: 2億円
