"""The forms' missing rules (issue 16): リサイクル別紙, 選任通知書, 兼任届."""

import datetime as dt
import io

import pytest
from django.http import QueryDict
from pypdf import PdfReader

from applications import services
from applications.kinds import BY_CODE, full_time_threshold
from applications.pdf import application_pdf
from contracts.models import Contract
from tests.applications.helpers import VALID
from tests.factories import CaseFactory


def bind(kind, data, case, company):
    q = QueryDict(mutable=True)
    for key, value in data.items():
        q[key] = value
    return BY_CODE[kind].form(data=q, case=case, company=company)


@pytest.fixture
def works(db, company):
    return CaseFactory(awarded_company=company, amount=30_000_000, title="市道5号線舗装工事")


# --- リサイクル別紙 --------------------------------------------------------------------------

RECYCLE_COMMON = {
    "demolition_cost": "1,200,000",
    "recycling_cost": "８００，０００円",
    "facility_concrete_name": "足利リサイクルセンター",
    "facility_concrete_address": "足利市寺岡町1番地",
}


def recycle(case, company, variant, methods, **extra):
    data = {"variant": variant, **RECYCLE_COMMON, **extra}
    data.update({f"method_{code}": "manual_machine" for code in methods})
    return bind("recycle", data, case, company)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("variant", "methods", "absent"),
    [
        ("demolition", ["equipment", "roof", "exterior", "foundation", "other"], "temporary"),
        (
            "new_building",
            ["site", "foundation", "superstructure", "roof", "equipment", "other"],
            "temporary",
        ),
        (
            "structure",
            ["temporary", "earthwork", "foundation", "structure", "fixtures", "other"],
            "roof",
        ),
    ],
)
def test_each_standard_variant_has_its_own_processes(works, company, variant, methods, absent):
    """建設リサイクル法第13条・同法施行規則 様式第一号 別表1（建築物の解体）・
    別表2（新築・増築等）・別表3（工作物）: each 標準様式 lists its own 工程
    (docs/domain.md §4.5)."""
    form = recycle(works, company, variant, methods, other_process="看板撤去")
    assert form.is_valid(), form.errors
    assert [n for n in form.fields if n.startswith("method_")] == [f"method_{m}" for m in methods]
    assert f"method_{absent}" not in form.fields


@pytest.mark.django_db
def test_several_facilities_per_material(works, company):
    """A 特定建設資材廃棄物 may go to several 施設 (up to three rows each)."""
    form = recycle(
        works,
        company,
        "structure",
        ["temporary", "earthwork", "foundation", "structure", "fixtures"],
        method_other="none",
        facility_concrete2_name="渡良瀬再生工場",
        facility_concrete2_address="足利市五十部町2番地",
        facility_concrete3_name="両毛クラッシャー",
        facility_concrete3_address="佐野市犬伏町3番地",
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["facility_concrete3_name"] == "両毛クラッシャー"
    assert form.cleaned_data["recycling_cost"] == 800_000


@pytest.mark.django_db
def test_other_needs_its_text(works, company):
    """「その他」: the 工程 and the 資材廃棄物 named when used."""
    methods = ["temporary", "earthwork", "foundation", "structure", "fixtures", "other"]
    form = recycle(works, company, "structure", methods)
    assert form.errors["other_process"] == [
        "「その他」の工程を選んだときは、その内容を入力してください。"
    ]
    form = recycle(
        works,
        company,
        "structure",
        methods,
        other_process="防護柵撤去",
        facility_other_name="足利石膏ボード回収",
        facility_other_address="足利市朝倉町4番地",
    )
    assert "資材廃棄物の種類を入力してください" in form.errors["other_material"][0]
    form = recycle(
        works,
        company,
        "structure",
        methods,
        other_process="防護柵撤去",
        other_material="石膏ボード",
    )
    assert (
        "「その他」の資材廃棄物の再資源化等をする施設を入力してください"
        in form.errors["facility_other_name"][0]
    )


@pytest.mark.django_db
def test_costs_are_required(works, company):
    """建設リサイクル法第13条第1項: 解体工事に要する費用 and 再資源化等に要する費用 are stated in
    the contract (the 解体 cost where there is a 解体工事: not on the 新築・増築 様式)."""
    methods = ["equipment", "roof", "exterior", "foundation"]
    form = bind(
        "recycle",
        {
            "variant": "demolition",
            "method_other": "none",
            **{f"method_{m}": "manual" for m in methods},
            "facility_wood_name": "足利木材チップ工場",
            "facility_wood_address": "足利市山川町5番地",
        },
        works,
        company,
    )
    assert form.errors["demolition_cost"] == ["この項目は必須です。"]
    assert form.errors["recycling_cost"] == ["この項目は必須です。"]
    new = recycle(
        works,
        company,
        "new_building",
        ["site", "foundation", "superstructure", "roof", "equipment"],
        method_other="none",
    )
    assert "demolition_cost" not in new.fields and new.is_valid(), new.errors


@pytest.mark.django_db
def test_at_least_one_facility(works, company):
    data = {
        "variant": "structure",
        "demolition_cost": "0",
        "recycling_cost": "0",
        **{
            f"method_{m}": "none"
            for m in ("temporary", "earthwork", "foundation", "structure", "fixtures", "other")
        },
    }
    form = bind("recycle", data, works, company)
    assert "1つ以上入力してください" in form.errors["facility_concrete_name"][0]


# --- 現場代理人及び主任技術者等選任通知書 ----------------------------------------------------


def agent(case, company, **changes):
    return bind("site_agent", {**VALID["site_agent"], **changes}, case, company)


def contract_on(case, made_on: dt.date) -> None:
    Contract.objects.create(case=case, title=case.title, amount=case.amount, contract_date=made_on)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("made_on", "building", "amount", "must_be_full"),
    [
        (dt.date(2025, 2, 1), False, 44_999_999, False),
        (dt.date(2025, 2, 1), False, 45_000_000, True),
        (dt.date(2025, 1, 31), False, 39_999_999, False),
        (dt.date(2025, 1, 31), False, 40_000_000, True),
        (dt.date(2025, 1, 31), False, 44_999_999, True),
        (dt.date(2025, 2, 1), True, 89_999_999, False),
        (dt.date(2025, 2, 1), True, 90_000_000, True),
        (dt.date(2025, 1, 31), True, 80_000_000, True),
        (dt.date(2025, 1, 31), True, 79_999_999, False),
    ],
)
def test_full_time_threshold_is_date_effective(company, made_on, building, amount, must_be_full):
    """建設業法第26条第3項・施行令第27条第1項 (改正 令和7年2月1日施行: 4,500万円, 建築一式
    9,000万円; before: 4,000万円 / 8,000万円) — docs/domain.md §4.3; the 契約日 decides."""
    case = CaseFactory(awarded_company=company, amount=amount)
    contract_on(case, made_on)
    form = agent(
        case,
        company,
        full_time="part",
        works_kind="building" if building else "other",
    )
    if must_be_full:
        assert "技術者は専任としてください" in form.errors["full_time"][0]
    else:
        assert form.is_valid(), form.errors
    assert full_time_threshold(dt.date(2016, 5, 31), building=False) is None


@pytest.mark.django_db
def test_supervising_engineer_needs_the_certificate_number(works, company):
    """監理技術者資格者証 (建設業法第26条第5項・第27条の18): its number for a 監理技術者."""
    form = agent(works, company, engineer_role="supervising", engineer_license="")
    assert form.errors["engineer_license"] == [
        "監理技術者は監理技術者資格者証の番号を入力してください。"
    ]
    assert agent(
        works, company, engineer_role="supervising", engineer_license="第00012345号"
    ).is_valid()


@pytest.mark.django_db
def test_assistant_and_specialist_rows(works, company):
    """監理技術者補佐 (建設業法第26条第3項ただし書) and 専門技術者 (第26条の2) —
    docs/domain.md §4.4(a)."""
    form = agent(
        works, company, assistant_name="鈴木 五郎", assistant_qualification="1級土木施工管理技士補"
    )
    assert form.errors["assistant_name"] == ["監理技術者補佐は監理技術者を置く場合に配置します。"]
    form = agent(
        works,
        company,
        engineer_role="supervising",
        engineer_license="第00012345号",
        assistant_name="鈴木 五郎",
        specialist_name="中村 六郎",
    )
    assert form.errors["assistant_qualification"] == ["監理技術者補佐の資格を入力してください。"]
    assert form.errors["specialist_qualification"] == ["専門技術者の資格を入力してください。"]
    assert form.errors["specialist_scope"] == ["専門技術者が担当する工事の内容を入力してください。"]
    assert agent(
        works,
        company,
        engineer_role="supervising",
        engineer_license="第00012345号",
        assistant_name="鈴木 五郎",
        assistant_qualification="1級土木施工管理技士補",
        specialist_name="中村 六郎",
        specialist_qualification="2級電気工事施工管理技士",
        specialist_scope="照明設備工事",
    ).is_valid()


@pytest.mark.django_db
def test_printed_notice_has_the_works_header(works, company, contractor):
    """docs/domain.md §4.4(a): 工事名, 工事場所, 契約日, 工期, 請負代金額 head the printed form."""
    contract_on(works, dt.date(2025, 11, 5))
    application = services.application_create(
        case=works, company=company, kind="site_agent", user=contractor, data=VALID["site_agent"]
    )
    application = services.application_submit(application=application, user=contractor)
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(application_pdf(application))).pages
    )
    compact = text.replace(" ", "").replace("\u3000", "")
    for expected in (
        "工事名市道5号線舗装工事",
        "工事場所足利市本城3丁目地内",
        "契約日令和7年11月5日",
        "工期令和7年11月10日〜令和8年3月19日",
        "請負代金額30,000,000円",
        "監理技術者補佐",
        "専門技術者",
    ):
        assert expected in compact, expected


# --- 現場代理人兼任届 --------------------------------------------------------------------------

CONCURRENT = {
    "agent_name": "田中 四郎",
    "agent_phone": "090-1234-5678",
    "other_orderer": "足利市",
    "other_title": "市道7号線側溝改良工事",
    "other_place": "足利市大前町地内",
    "other_amount": "12,000,000",
    "other_start": "2025-11-01",
    "other_end": "2026-02-27",
    "pledge": "on",
}


def concurrent(case, company, **changes):
    return bind("agent_concurrent", {**CONCURRENT, **changes}, case, company)


def second_and_third(**changes):
    rows = {}
    for i, title in ((2, "市道8号線舗装工事"), (3, "栃木県道足利環状線修繕工事")):
        rows.update(
            {
                f"other{i}_orderer": "足利市" if i == 2 else "栃木県",
                f"other{i}_title": title,
                f"other{i}_place": "足利市内",
                f"other{i}_amount": "9,800,000",
                f"other{i}_start": "2025-12-01",
                f"other{i}_end": "2026-03-13",
            }
        )
    rows.update(changes)
    return rows


@pytest.mark.django_db
def test_up_to_three_other_contracts(works, company):
    """Issue 16: up to three other contracts (docs/domain.md §4.3: cities allow 2 or more)."""
    form = concurrent(works, company, **second_and_third())
    assert form.is_valid(), form.errors
    assert "other4_title" not in form.fields
    form = concurrent(works, company, **second_and_third(other3_amount=""))
    assert form.errors["other3_amount"] == ["兼任する工事3の項目をすべて入力してください。"]


@pytest.mark.django_db
def test_amount_ceiling_per_contract(works, company, settings):
    """city policy — setting AGENT_CONCURRENT_AMOUNT_LIMIT (default 45,000,000円: 逗子市,
    茂原市, 常陸太田市 「4,500万円未満」; docs/domain.md §4.3)."""
    assert concurrent(works, company, other_amount="44,999,999").is_valid()
    form = concurrent(works, company, other_amount="45,000,000")
    assert form.errors["other_amount"] == ["兼任できるのは契約金額が45,000,000円未満の工事です。"]
    big = CaseFactory(awarded_company=company, amount=45_000_000)
    form = concurrent(big, company)
    assert "現場代理人の兼任はできません" in form.errors["__all__"][0]
    settings.AGENT_CONCURRENT_AMOUNT_LIMIT = 10_000_000
    assert "10,000,000円未満" in concurrent(works, company).errors["other_amount"][0]


@pytest.mark.django_db
def test_liaison_optional_or_required_by_setting(works, company, settings):
    """city policy — setting AGENT_CONCURRENT_LIAISON_REQUIRED (default False; 常陸太田市 and
    佐久市 require a 連絡員, others do not — docs/domain.md §4.3)."""
    assert concurrent(works, company).is_valid()
    settings.AGENT_CONCURRENT_LIAISON_REQUIRED = True
    form = concurrent(works, company)
    assert form.errors["liaison_name"] == ["この項目は必須です。"]
    assert concurrent(
        works, company, liaison_name="佐藤 七郎", liaison_phone="0284-00-0000"
    ).is_valid()


@pytest.mark.django_db
def test_schedule_and_location_map_are_attached(works, company, contractor):
    """docs/domain.md §4.3 (常陸太田市): the 工程表 of the contracts and a 位置図 are attached."""
    application = services.application_create(
        case=works, company=company, kind="agent_concurrent", user=contractor, data=CONCURRENT
    )
    with pytest.raises(services.ApplicationError) as exc_info:
        services.application_submit(application=application, user=contractor)
    assert exc_info.value.message == "工程表、位置図のPDFを添付してください。"
    application.refresh_from_db()
    assert application.status == "draft"
