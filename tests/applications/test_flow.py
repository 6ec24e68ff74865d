"""入力 → 確認 → 提出 → 受付完了, and nothing typed is ever lost on the way (issue 14)."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from applications import services
from applications.kinds import BY_CODE
from applications.models import Application
from core.models import AuditEvent
from core.text import normalize
from tests.applications.helpers import VALID, file_via_pages, filed
from tests.factories import CaseFactory
from tests.pdfs import make_pdf

# Valid filings of every kind that has fields of its own, and one mistake people make in each.
FILINGS = {
    **VALID,
    "recycle": {
        "variant": "structure",
        **{f"method_{p}": "manual" for p in ("temporary", "earthwork", "foundation")},
        **{f"method_{p}": "none" for p in ("structure", "fixtures", "other")},
        "demolition_cost": "1,200,000",
        "facility_concrete_name": "足利リサイクルセンター",
        "facility_concrete_address": "足利市寺岡町100番地",
        "recycling_cost": "800,000円",
    },
    "agent_concurrent": {
        "agent_name": "田中 四郎",
        "agent_phone": "090-1234-5678",
        "other_orderer": "栃木県",
        "other_title": "県道足利太田線舗装工事",
        "other_place": "足利市福居町地内",
        "other_amount": "30,000,000",
        "other_start": "2025-11-01",
        "other_end": "2026-02-28",
        "liaison_name": "鈴木 五郎",
        "liaison_phone": "0284-00-0000",
        "pledge": "on",
    },
}
MISTAKES = {
    "econtract": ("signer_email", "yamada@", "メールアドレスの形式が正しくありません。"),
    "advance_payment": ("guarantee_number", "abc", "保証契約番号は保証証書・お知らせに記載の番号"),
    "midterm_choice": ("choice", "both", "中間前金払か部分払のどちらか一方を選んでください。"),
    "service_engineers": (
        "checker_name",
        "高橋 次郎",
        "照査技術者は業務主任技術者（管理技術者）と別の者を選任してください。",
    ),
    "site_agent": ("start_on", "2024-01-01", "配置開始日は工期"),
    "recycle": (
        "demolition_cost",
        "百二十万円",
        "金額は数字で入力してください（例: 20,000,000）。",
    ),
    "agent_concurrent": (
        "agent_phone",
        "03-1234-5678",
        "携帯電話番号を入力してください（例: 090-1234-5678）。",
    ),
}


@pytest.fixture
def logged_in(client, contractor):
    client.force_login(contractor)
    return client


def case_for(kind, company, department):
    category = "construction_service" if kind == "service_engineers" else "construction"
    # 兼任 is possible only below AGENT_CONCURRENT_AMOUNT_LIMIT (45,000,000円 by default)
    amount = 30_000_000 if kind == "agent_concurrent" else 50_000_000
    return CaseFactory(
        awarded_company=company, department=department, category=category, amount=amount
    )


def attach_required(application, user) -> None:
    """The PDFs the kind requires (工程表, 位置図 …), as earlier 「下書き保存」s would add them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    for purpose in application.kind_obj.required_purposes:
        services.attachment_add(
            application=application,
            user=user,
            upload=SimpleUploadedFile(f"{purpose}.pdf", make_pdf(), "application/pdf"),
            purpose=purpose,
        )


def form_action(page: str) -> str:
    return re.search(r'<form method="post" action="([^"]+)" enctype', page).group(1)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(MISTAKES))
def test_first_filing_error_then_correction_then_confirm_then_submit(
    logged_in, company, department, contractor, kind
):
    case = case_for(kind, company, department)
    field, wrong, message = MISTAKES[kind]
    good = FILINGS[kind]
    new = reverse("applications:new", args=[case.pk, kind])
    response = logged_in.post(new, {**good, field: wrong, "action": "confirm"})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "下書きとして保存しました" in page
    draft = Application.objects.get()
    assert draft.status == "draft" and draft.receipt_number is None
    assert str(draft.data[field]) == wrong  # what was typed is kept, even when wrong
    attach_required(draft, contractor)
    # The page now posts to the draft it just made, not to …/new/<kind>/ again.
    assert form_action(page) == reverse("applications:edit", args=[draft.pk])
    confirm = logged_in.post(form_action(page), {**good, "action": "confirm"})
    assert confirm["Location"] == reverse("applications:confirm", args=[draft.pk])
    shown = logged_in.get(confirm["Location"]).content.decode()
    assert "修正する" in shown and "提出する" in shown and "まだ提出されていません" in shown
    digest = re.search(r'name="digest" value="(\w+)"', shown).group(1)
    done = logged_in.post(reverse("applications:submit", args=[draft.pk]), {"digest": digest})
    assert done["Location"] == reverse("applications:done", args=[draft.pk])
    application = Application.objects.get()  # still one filing: the draft became it
    assert application.pk == draft.pk and application.status == "submitted"
    assert str(application.data[field]) != wrong
    receipt = logged_in.get(done["Location"]).content.decode()
    assert application.receipt_number in receipt and "この後の流れ" in receipt
    assert re.search(r"令和\d+年\d+月\d+日 \d+時\d\d分", receipt)


@pytest.mark.django_db
def test_confirm_page_shows_everything_with_attachments_and_fix_goes_back(logged_in, case):
    new = reverse("applications:new", args=[case.pk, "schedule"])
    upload = io.BytesIO(make_pdf(pages=2))
    upload.name = "工程表_第1版.pdf"
    response = logged_in.post(
        new, {"note": "雨天時は順延", "purpose": "schedule", "upload": upload, "action": "confirm"}
    )
    application = Application.objects.get()
    assert response["Location"] == reverse("applications:confirm", args=[application.pk])
    page = logged_in.get(response["Location"]).content.decode()
    assert "雨天時は順延" in page and "工程表_第1版.pdf" in page and "2ページ" in page
    assert reverse("applications:edit", args=[application.pk]) in page  # 「修正する」
    application.refresh_from_db()
    assert application.status == "draft"  # the 確認画面 files nothing


@pytest.mark.django_db
def test_submit_refused_when_the_filing_changed_after_the_confirm_page(logged_in, case):
    edit_url = None
    response = logged_in.post(
        reverse("applications:new", args=[case.pk, "econtract"]),
        {**VALID["econtract"], "action": "confirm"},
    )
    application = Application.objects.get()
    page = logged_in.get(response["Location"]).content.decode()
    digest = re.search(r'name="digest" value="(\w+)"', page).group(1)
    edit_url = reverse("applications:edit", args=[application.pk])
    logged_in.post(edit_url, {**VALID["econtract"], "signer_name": "別の人", "action": "save"})
    refused = logged_in.post(
        reverse("applications:submit", args=[application.pk]), {"digest": digest}, follow=True
    )
    assert "確認画面を表示した後に内容が変更されました" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == "draft" and application.receipt_number is None
    assert application.data["signer_name"] == "別の人"
    # Without the 確認画面's fingerprint nothing is filed either.
    logged_in.post(reverse("applications:submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == "draft"


@pytest.mark.django_db
def test_resubmission_says_resubmit_and_shows_what_staff_asked(
    logged_in, case, contractor, section_staff
):
    application = filed(case, contractor)
    services.application_return(
        application=application, reviewer=section_staff, reason="契約担当者1のメールアドレスを確認"
    )
    edit = logged_in.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert "契約担当者1のメールアドレスを確認" in edit
    response = logged_in.post(
        reverse("applications:edit", args=[application.pk]),
        {**VALID["econtract"], "action": "confirm"},
    )
    page = logged_in.get(response["Location"]).content.decode()
    assert "再提出する" in page and "契約担当者1のメールアドレスを確認" in page
    assert ">提出する<" not in page


@pytest.mark.django_db
def test_draft_never_filed_offers_delete_with_confirmation(logged_in, case, contractor):
    draft = filed(case, contractor, submit=False)
    detail = logged_in.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert "削除する" in detail and "取り下げる" not in detail
    url = reverse("applications:withdraw", args=[draft.pk])
    asked = logged_in.get(url).content.decode()
    assert "下書きを削除しますか" in asked and "山田 太郎" in asked
    Application.objects.get(pk=draft.pk)  # asking deletes nothing
    response = logged_in.post(url, {"confirmed": "yes"}, follow=True)
    assert "下書きを削除しました。" in response.content.decode()
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action="application.discarded").count() == 1
    # A filing that was submitted is withdrawn (kept), never deleted.
    submitted = filed(case, contractor)
    detail = logged_in.get(reverse("applications:detail", args=[submitted.pk])).content.decode()
    assert "この申請を取り下げる" in detail and "削除する" not in detail
    with pytest.raises(services.ApplicationError) as exc_info:
        services.application_discard(application=submitted, user=contractor)
    assert exc_info.value.message == "提出したことのある申請は削除できません。取り下げてください。"


@pytest.mark.django_db
def test_continue_opens_the_form(logged_in, case, contractor):
    draft = filed(case, contractor, submit=False)
    page = logged_in.get(reverse("case_detail", args=[case.pk])).content.decode()
    edit = reverse("applications:edit", args=[draft.pk])
    assert re.search(rf'href="{edit}">続きを入力', page)
    # 「提出する」 on a kind that already has a 下書き opens that 下書き
    again = logged_in.get(reverse("applications:new", args=[case.pk, "econtract"]))
    assert again["Location"] == edit


@pytest.mark.django_db
def test_receipt_pdf(logged_in, case, contractor):
    application = filed(case, contractor, "schedule", with_pdf="schedule")
    response = logged_in.get(reverse("applications:receipt", args=[application.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    flat = re.sub(r"\s", "", text)
    assert "受付票" in flat and application.receipt_number in flat
    assert case.title in flat and "工程表.pdf" in flat and "この後の流れ" in flat
    assert application.attachments.get().file.sha256 in flat
    draft = filed(case, contractor, submit=False)
    assert logged_in.get(reverse("applications:receipt", args=[draft.pk])).status_code == 404


# --- amounts and numbers: typed as people type them, stored typed, never breaking a page -------

YEN_FIELDS = [
    ("advance_payment", "requested_amount", "8,000,000"),
    ("advance_payment", "guarantee_amount", "８，０００，０００"),
    ("recycle", "demolition_cost", "8,000,000円"),
    ("recycle", "recycling_cost", "８，０００，０００円"),
    ("agent_concurrent", "other_amount", "8 000 000"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "field", "typed"), YEN_FIELDS)
def test_amount_typed_with_separators_is_stored_as_int_and_reopens(
    logged_in, company, department, contractor, kind, field, typed
):
    case = case_for(kind, company, department)
    data = {**FILINGS[kind], field: typed}
    if kind == "advance_payment":
        data |= {"requested_amount": "8,000,000", "guarantee_amount": "8,000,000", field: typed}
    logged_in.post(reverse("applications:new", args=[case.pk, kind]), {**data, "action": "save"})
    application = Application.objects.get()
    assert application.data[field] == 8_000_000  # an int, not the text
    attach_required(application, contractor)
    edit = logged_in.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert 'value="8,000,000"' in edit
    detail = logged_in.get(reverse("applications:detail", args=[application.pk]))
    assert detail.status_code == 200 and "8,000,000円" in detail.content.decode()
    assert logged_in.get(reverse("applications:pdf", args=[application.pk])).status_code == 200
    response = file_via_pages(logged_in, reverse("applications:edit", args=[application.pk]), data)
    assert response["Location"] == reverse("applications:done", args=[application.pk])


@pytest.mark.django_db
def test_a_draft_holding_text_in_an_amount_never_breaks_a_page(logged_in, case, contractor):
    """Drafts saved before this change hold 「8,000,000」 as text; pages and PDFs still work."""
    draft = filed(case, contractor, "advance_payment", submit=False)
    Application.objects.filter(pk=draft.pk).update(
        data={**draft.data, "requested_amount": "8,000,000", "guarantee_amount": "八百万"}
    )
    detail = logged_in.get(reverse("applications:detail", args=[draft.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "8,000,000円" in body and "八百万（金額として読めません）" in body
    pdf = logged_in.get(reverse("applications:pdf", args=[draft.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert logged_in.get(reverse("applications:edit", args=[draft.pk])).status_code == 200


BAD_AMOUNTS = [
    ("guarantee_amount", "999999999999999999999", "金額が大きすぎます。999,999,999,999円以下"),
    ("guarantee_amount", "60,000,000", "保証金額（円）は請負金額（50,000,000円）以下"),
    ("guarantee_amount", "-5", "金額は数字で入力してください"),
    ("requested_amount", "8000000.5", "金額は数字で入力してください"),
    ("requested_amount", "30,000,000", "20,000,000円以下で入力してください"),
    ("requested_amount", "5,000", "10,000円以上で入力してください。"),
    ("guarantee_number", "abc", "保証契約番号は保証証書・お知らせに記載の番号を半角の数字"),
    ("guarantee_number", "３１０７２－０００１ｍ ", None),  # normalised, accepted
    ("account_number", "１２３４５６", "口座番号は7桁の数字で入力してください。"),
    ("account_number", "１２３ ４５６７", None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "typed", "message"), BAD_AMOUNTS)
def test_bad_amounts_and_numbers_are_refused_clearly_and_nothing_is_filed(
    logged_in, case, field, typed, message
):
    data = {**VALID["advance_payment"], field: typed}
    response = file_via_pages(
        logged_in, reverse("applications:new", args=[case.pk, "advance_payment"]), data
    )
    application = Application.objects.get()
    if message is None:
        assert response.status_code == 302 and application.status == "submitted"
        assert application.data[field] in ("31072-0001M", "1234567")
        return
    assert response.status_code == 200
    assert message in response.content.decode()
    assert application.status == "draft" and application.receipt_number is None
    assert application.data[field] == normalize(typed)  # kept as typed (width-normalised)
    assert application.data["bank_name"] == "足利銀行"  # the rest of the form is kept


@pytest.mark.django_db
def test_surety_notice_number_format_is_checked(case):
    form = BY_CODE["surety_notice"].form(
        data={
            "construction_name": case.title,
            "contractor_name": "足利テスト建設 株式会社",
            "product": "前払金保証",
            "guarantee_number": "abc",
            "auth_key": "Z28YUE4J3Bux",
        },
        case=case,
        company=case.awarded_company,
    )
    assert not form.is_valid()
    assert "保証契約番号は保証証書・お知らせに記載の番号" in form.errors["guarantee_number"][0]
