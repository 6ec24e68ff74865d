"""照査技術者 ≠ 管理技術者 however the name is typed (issue 16)."""

import pytest
from django.http import QueryDict

from applications.kinds import BY_CODE
from cases.constants import Category
from core.text import fold_name
from tests.applications.helpers import VALID
from tests.factories import CaseFactory

SAME = "照査技術者は業務主任技術者（管理技術者）と別の者を選任してください。"


@pytest.fixture
def service_case(db, company):
    return CaseFactory(awarded_company=company, category=Category.CONSTRUCTION_SERVICE)


def bind(data, case, company):
    q = QueryDict(mutable=True)
    for key, value in {**VALID["service_engineers"], **data}.items():
        q[key] = value
    return BY_CODE["service_engineers"].form(data=q, case=case, company=company)


@pytest.mark.parametrize(
    ("manager", "checker"),
    [
        ("髙橋 次郎", "高橋次郎"),
        ("山﨑 太郎", "山崎　太郎"),
        ("渡邊 一郎", "渡辺 一郎"),
        ("渡邉 一郎", "渡邊一郎"),
        ("齋藤 花子", "斎藤 花子"),
        ("澤田 悟", "沢田 悟"),
        ("ＹＡＭＡＤＡ Ｔａｒｏ", "YAMADA Taro"),
        ("葛\U000e0100城 学", "葛城 学"),  # an IVS selector after 葛
    ],
)
def test_the_same_person_in_two_roles_is_refused(service_case, company, manager, checker):
    """S-P21 (docs/domain.md §4.4(e)): the 照査技術者 may not also be the 管理技術者 — also when the
    name is typed with 異体字 (髙/高, 﨑/崎, 邊/邉/辺 …), full-width letters or spaces."""
    form = bind({"manager_name": manager, "checker_name": checker}, service_case, company)
    assert form.errors["checker_name"] == [SAME]


@pytest.mark.parametrize(
    ("manager", "checker"),
    [("高橋 次郎", "高橋 二郎"), ("山崎 太郎", "山崎 太一"), ("渡辺 一郎", "田辺 一郎")],
)
def test_different_people_pass(service_case, company, manager, checker):
    """The folding only merges variants of one character, never two different names."""
    form = bind({"manager_name": manager, "checker_name": checker}, service_case, company)
    assert form.is_valid(), form.errors


def test_fold_name_table():
    assert fold_name("髙﨑 邊") == fold_name("高崎辺") == "高崎辺"
    assert fold_name(None) == ""
