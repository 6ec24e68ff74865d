"""The forms (様式) and their rules, each refused input with its Japanese message."""

import re

import pytest
from django.http import QueryDict

from applications.kinds import BY_CODE, KINDS, kinds_for
from cases.constants import Category
from cases.rules import advance_limit
from tests.applications.helpers import VALID
from tests.factories import CaseFactory


def bind(kind, data, case, company):
    q = QueryDict(mutable=True)
    for key, value in data.items():
        q[key] = value
    return BY_CODE[kind].form(data=q, case=case, company=company)


def test_each_category_has_the_briefings_forms():
    assert [k.title for k in kinds_for(Category.CONSTRUCTION)] == [
        "リサイクル別紙",
        "現場代理人及び主任技術者等選任通知書",
        "現場代理人兼任届",
        "中間前金払と部分払の選択に係る届出書",
        "前金払申請書及び前払金請求書",
        "電子契約利用申出書",
        "工程表",
        "電子保証に係る認証キーのお知らせ",
        # not in the briefing's list: the 中間前金払 認定 (issue 25, 施行規則附則第3条)
        "工事履行報告書",
        "中間前金払認定請求書",
    ]
    assert [k.title for k in kinds_for(Category.CONSTRUCTION_SERVICE)] == [
        "業務主任技術者及び照査技術者選任通知書",
        "前金払申請書及び前払金請求書",
        "電子契約利用申出書",
        "工程表",
        "電子保証に係る認証キーのお知らせ",
        "資格を証する書類",
    ]
    for category in (Category.GOODS, Category.PRINTING, Category.SMALL_WORKS, Category.SERVICE):
        assert [k.code for k in kinds_for(category)] == ["econtract"]
    assert len({k.code for k in KINDS}) == len(KINDS)


@pytest.fixture
def build_case(db, company):
    return CaseFactory(awarded_company=company, amount=50_000_000, category=Category.CONSTRUCTION)


@pytest.fixture
def service_case(db, company):
    return CaseFactory(
        awarded_company=company, amount=9_900_000, category=Category.CONSTRUCTION_SERVICE
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "requested", "ok", "message"),
    [
        (50_000_000, "20000000", True, ""),  # exactly 40 %
        (50_000_000, "20010000", False, "40％（1万円未満切捨て）以内、20,000,000円以下"),
        (50_005_000, "20000000", True, ""),  # 40 % = 20,002,000 → 20,000,000 after rounding down
        (50_005_000, "20010000", False, "20,000,000円以下"),
        (50_000_000, "19995000", False, "1万円未満を切り捨てた額"),
    ],
)
def test_advance_payment_limit_for_construction(company, amount, requested, ok, message):
    case = CaseFactory(awarded_company=company, amount=amount, category=Category.CONSTRUCTION)
    data = {
        **VALID["advance_payment"],
        "requested_amount": requested,
        "guarantee_amount": requested,
    }
    form = bind("advance_payment", data, case, company)
    assert form.is_valid() is ok
    if not ok:
        assert message in form.errors["requested_amount"][0]


@pytest.mark.django_db
def test_advance_payment_limit_for_construction_services_is_30_percent(service_case, company):
    assert advance_limit(service_case) == 2_970_000
    # 保証金額 = 請求額 is a rule of its own since issue 16 (the guarantee follows the request)
    base = VALID["advance_payment"]
    assert bind(
        "advance_payment",
        {**base, "requested_amount": "2970000", "guarantee_amount": "2970000"},
        service_case,
        company,
    ).is_valid()
    form = bind(
        "advance_payment",
        {**base, "requested_amount": "2980000", "guarantee_amount": "2980000"},
        service_case,
        company,
    )
    assert "30％" in form.errors["requested_amount"][0]


@pytest.mark.django_db
def test_full_width_amounts_are_normalised(build_case, company):
    data = {**VALID["advance_payment"], "requested_amount": "２０，０００，０００円"}
    form = bind("advance_payment", data, build_case, company)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["requested_amount"] == 20_000_000


@pytest.mark.django_db
def test_guarantee_must_last_to_the_end_of_the_works(build_case, company):
    data = {**VALID["advance_payment"], "guarantee_until": "2026-03-18"}  # 工期 ends 2026-03-19
    form = bind("advance_payment", data, build_case, company)
    assert "保証期限は工期の終期（令和8年3月19日）以降" in form.errors["guarantee_until"][0]


@pytest.mark.django_db
def test_midterm_and_partial_are_exclusive(build_case, company):
    form = bind("midterm_choice", {"choice": "both", "pledge": "on"}, build_case, company)
    assert form.errors["choice"] == ["中間前金払か部分払のどちらか一方を選んでください。"]
    q = QueryDict(mutable=True)
    q.setlist("choice", ["midterm", "partial"])
    q["pledge"] = "on"
    form = BY_CODE["midterm_choice"].form(data=q, case=build_case, company=company)
    assert form.is_valid()
    assert form.cleaned_data["choice"] in {"midterm", "partial"}  # one value only, never both


@pytest.mark.django_db
def test_midterm_choice_pledge_unticked_names_the_checkbox(client, contractor, case):
    """The pledge left unticked: the message names the checkbox to tick; the choice made is
    kept on the page and in the 下書き, and nothing is filed."""
    from django.urls import reverse

    from applications.models import Application

    client.force_login(contractor)
    url = reverse("applications:new", args=[case.pk, "midterm_choice"])
    page = client.post(url, {"choice": "partial", "action": "confirm"}).content.decode()
    assert (
        "「選択しなかった支払方法は請求しないことを届け出ます」にチェックを入れてください。" in page
    )
    assert "届出内容の確認が必要です" not in page
    assert re.search(r'<input[^>]*value="partial"[^>]*checked', page)  # the choice is kept
    draft = Application.objects.get()
    assert draft.status == "draft" and draft.data["choice"] == "partial"
    assert not draft.receipt_number


@pytest.mark.django_db
def test_checker_must_differ_from_manager(service_case, company):
    data = {**VALID["service_engineers"], "checker_name": "高橋　次郎"}
    form = bind("service_engineers", data, service_case, company)
    assert form.errors["checker_name"] == [
        "照査技術者は業務主任技術者（管理技術者）と別の者を選任してください。"
    ]


@pytest.mark.django_db
def test_dates_inside_the_works_period(build_case, company):
    form = bind(
        "site_agent", {**VALID["site_agent"], "start_on": "2025-11-09"}, build_case, company
    )
    assert "工期（令和7年11月10日〜令和8年3月19日）の範囲内" in form.errors["start_on"][0]
    assert bind(
        "site_agent", {**VALID["site_agent"], "start_on": "2026-03-19"}, build_case, company
    ).is_valid()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"signer_email": ""}, "signer_email", "この項目は必須です。"),
        ({"signer_name": ""}, "signer_name", "この項目は必須です。"),
        ({"signer_email": "yamada@"}, "signer_email", "メールアドレスの形式が正しくありません。"),
        ({"staff1_email": ""}, "staff1_email", "契約担当者1のメールアドレスを入力してください。"),
        ({"staff1_name": ""}, "staff1_name", "契約担当者1の氏名を入力してください。"),
        (
            {"staff1_email": "yamada@ashikaga-test.example"},
            "staff1_email",
            "同じメールアドレスは複数の欄に入力できません",
        ),
    ],
)
def test_econtract_errors(build_case, company, changes, field, message):
    form = bind("econtract", {**VALID["econtract"], **changes}, build_case, company)
    assert not form.is_valid()
    assert message in form.errors[field][0]


@pytest.mark.django_db
def test_econtract_email_is_valid_after_nfkc(build_case, company):
    data = {
        **VALID["econtract"],
        "signer_email": "ｙａｍａｄａ＠ａｓｈｉｋａｇａ-ｔｅｓｔ．ｅｘａｍｐｌｅ",
    }
    form = bind("econtract", data, build_case, company)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["signer_email"] == "yamada@ashikaga-test.example"


REQUIRED_BOXES = [
    (kind.code, name)
    for kind in KINDS
    for name, field in kind.form.base_fields.items()
    if field.__class__.__name__ == "BooleanField" and field.required
]


def test_there_are_boxes_to_tick():
    """兼任届, 中間前金払認定請求書 and 中間前金払と部分払の選択 each have a pledge to tick."""
    assert {"agent_concurrent", "midterm_certification", "midterm_choice"} <= {
        code for code, _ in REQUIRED_BOXES
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "name"), REQUIRED_BOXES)
def test_an_unticked_box_is_named_in_its_error(code, name, case, company):
    """Every box the contractor must tick says which one (「…確認が必要です」 said neither)."""
    data = {k: v for k, v in VALID.get(code, {}).items() if k != name}
    form = BY_CODE[code].form(data=data, case=case, company=company)
    label = form.fields[name].label
    assert form.errors[name] == [f"「{label}」にチェックを入れてください。"]
