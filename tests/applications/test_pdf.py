"""The printed forms: Japanese wraps inside the page (Paragraph, CJK word wrap), nothing is cut,
the 様式's order is kept and the applicant is printed once (text read back with pypdf)."""

import io
import re
import unicodedata

import pytest
from django.urls import reverse
from pypdf import PdfReader

from applications.kinds import BY_CODE
from applications.pdf import application_pdf
from tests.applications.helpers import VALID, filed

LONG = {
    **VALID["econtract"],
    "address": "栃木県足利市本城三丁目二千百四十五番地 "
    "足利市役所前ビルディング東館十二階総務部分室",
    "company_name": "足利テスト建設・渡良瀬川流域総合土木工業 "
    "特定建設工事共同企業体（代表者）株式会社",
    "representative": "代表取締役社長執行役員 山田 太郎左衛門",
    "case_title": "市道1234号線道路改良工事"
    "（足利市本城三丁目から通三丁目までの区間における舗装打換え及び側溝整備）",
    "case_place": "足利市本城三丁目地内から足利市通三丁目地内まで（延長約一・二キロメートル）",
    "signer_name": "代表取締役社長執行役員 山田 太郎左衛門",
    "signer_email": "very.long.signer.address.for.the.contract@ashikaga-test-construction.example",
    "staff1_name": "工事部 工務課 課長代理 佐藤 一郎",
    "staff1_email": "sato.ichiro.construction.department@ashikaga-test-construction.example",
}


def flat(value: str) -> str:
    """As stored (NFKC, see KindForm) and as extracted (no white space)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value))


def flat_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s", "", "".join(page.extract_text() for page in reader.pages))


@pytest.mark.django_db
def test_econtract_pdf_keeps_every_long_value_whole(case, contractor):
    application = filed(case, contractor, data=LONG)
    text = flat_text(application_pdf(application))
    assert "また、変更契約に関しても同様とします。" in text
    form = BY_CODE["econtract"].form
    assert form.pdf_intro.replace(" ", "") in text
    for name, value in LONG.items():
        if name == "applied_on":
            continue
        assert flat(value) in text, name
    for note in form.pdf_notes:
        assert note.replace(" ", "") in text
    # the applicant once, at the top
    assert text.count(flat(LONG["company_name"])) == 1
    assert text.count(flat(LONG["address"])) == 1
    assert text.count("申請日") == 1
    # the 様式's order
    positions = [
        text.index(s)
        for s in (
            "別記様式第2号",
            "足利市長",
            "電子契約利用申出書",
            "(1)工事名",
            "(2)工事",
            "契約締結権限者氏名",
            "契約担当者1氏名",
        )
    ]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_every_field_of_a_long_site_agent_filing_is_printed(client, case, contractor):
    data = {
        **VALID["site_agent"],
        "agent_authority": (
            "契約書第10条第2項に定める権限（請負代金額の変更、請負代金の請求及び受領、"
            "工事関係者に関する措置請求並びに契約の解除に係るものを除く。）"
        )
        * 2,
        "engineer_qualification": (
            "1級土木施工管理技士（監理技術者資格者証 交付番号 第000012345678号）"
        ),
    }
    application = filed(case, contractor, "site_agent", data=data)
    client.force_login(contractor)
    response = client.get(reverse("applications:pdf", args=[application.pk]))
    text = flat_text(response.content)
    for label, value in (
        ("現場代理人の権限", data["agent_authority"]),
        ("技術者の資格（名称）", data["engineer_qualification"]),
        ("技術者の区分", "主任技術者"),
        ("配置開始日", "令和7年11月10日"),
    ):
        assert label in text and flat(value) in text, label
    assert application.receipt_number in text
