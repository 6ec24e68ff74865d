"""read_notice over the three samples and the variants of real notices."""

from pathlib import Path

import pytest

from surety.notice import NoticeReadError, notice_warnings, read_notice
from tests.surety.notices import notice_pdf, scan_pdf, standard

DATA = Path(__file__).resolve().parents[1] / "data"


def test_sample_advance_notice():
    n = read_notice((DATA / "surety-notice-advance.pdf").read_bytes())
    assert n.construction_name == "市道1234号線道路改良工事"
    assert n.contractor_name == "足利テスト建設 株式会社"
    assert n.product == "前払金保証"
    assert n.guarantee_number == "31072-0001M"
    assert n.auth_key == "Z28YUE4J3Bux"
    assert n.issuer == "東日本建設業保証株式会社"
    assert n.issued_on.isoformat() == "2025-09-04"


def test_sample_performance_notice():
    n = read_notice((DATA / "surety-notice-performance.pdf").read_bytes())
    assert (n.product, n.guarantee_number, n.auth_key) == (
        "契約保証",
        "31072-0002K",
        "Q7mD2xKp9LwA",
    )


def test_a_contract_is_not_a_notice():
    with pytest.raises(NoticeReadError) as exc_info:
        read_notice((DATA / "contract-construction.pdf").read_bytes())
    assert exc_info.value.code == "guarantee_number_missing"
    assert "保証契約番号が見つかりません" in exc_info.value.message


def test_full_width_colon_and_characters():
    body = [
        "工事名：市道１２３４号線道路改良工事",
        "受注者名：足利テスト建設　株式会社",
        "商品（保証区分）：契約保証",
        "保証契約番号：３１０７２－０００２Ｋ",
        "認証キー：Ｑ７ｍＤ２ｘＫｐ９ＬｗＡ",
    ]
    n = read_notice(notice_pdf(body))
    assert n.construction_name == "市道1234号線道路改良工事"
    assert n.guarantee_number == "31072-0002K"
    assert n.auth_key == "Q7mD2xKp9LwA"  # width normalised, case kept
    assert n.product == "契約保証"


def test_no_spaces_in_labels():
    body = [line.replace(" ", "") for line in standard()]
    n = read_notice(notice_pdf(body))
    assert (n.contractor_name, n.auth_key) == ("足利テスト建設株式会社", "Q7mD2xKp9LwA")


def test_joint_venture():
    body = standard(contractor="足利・渡良瀬特定建設工事共同企業体 代表者 足利テスト建設 株式会社")
    n = read_notice(notice_pdf(body))
    assert n.contractor_name == "足利・渡良瀬特定建設工事共同企業体 代表者 足利テスト建設 株式会社"


def test_line_broken_title():
    body = standard(title="市道1234号線道路改良工事（その2）")
    body[0] = "工 事 名 : 市道1234号線道路改良工事"
    body.insert(1, "（その2）")
    n = read_notice(notice_pdf(body))
    assert n.construction_name == "市道1234号線道路改良工事(その2)"  # NFKC brackets


def test_intermediate_advance_product():
    n = read_notice(notice_pdf(standard(product="中間前払金保証")))
    assert n.product == "中間前払金保証"


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (scan_pdf(), "no_text", "文字情報がありません"),
        (b"\x89PNG\r\n\x1a\n", "not_pdf", "PDFファイルではありません"),
        (notice_pdf(standard(key="Q7mD-2xKp/9L")), "auth_key_malformed", "認証キーの形式"),
        (notice_pdf(standard(key="abc")), "auth_key_malformed", "認証キーの形式"),
        (
            notice_pdf([*standard(), "認 証 キー : Z28YUE4J3Bux"]),
            "auth_key_multiple",
            "認証キーが複数記載されています",
        ),
        (
            notice_pdf([*standard(), "保証契約番号 : 31072-0009X"]),
            "guarantee_number_multiple",
            "保証契約番号が複数記載されています",
        ),
        (
            notice_pdf([line for line in standard() if "認" not in line]),
            "auth_key_missing",
            "認証キーが見つかりません",
        ),
    ],
    ids=["scan", "png", "malformed-key", "short-key", "two-keys", "two-numbers", "no-key"],
)
def test_refusals(data, code, message):
    with pytest.raises(NoticeReadError) as exc_info:
        read_notice(data)
    assert exc_info.value.code == code
    assert message in exc_info.value.message


@pytest.mark.django_db
def test_warnings(case, company):
    case.title = "市道1234号線道路改良工事"
    ok = read_notice(notice_pdf(standard()))
    company.name = "足利テスト建設株式会社"
    assert notice_warnings(ok, case=case, company=company) == []
    odd = read_notice(
        notice_pdf(standard(title="別の工事", contractor="他社 株式会社", number="9-9"))
    )
    warnings = notice_warnings(odd, case=case, company=company)
    assert len(warnings) == 3
    assert "工事名が案件と一致しません" in warnings[0]
    assert "受注者名が事業者名と一致しません" in warnings[1]
    assert "通常の形式" in warnings[2]
