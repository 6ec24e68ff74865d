"""Issue 23 (both desks, third pass): the items outside the contract pages, each shown."""

import datetime as dt

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.models import Application
from tests.applications.helpers import ECONTRACT_DATA, filed
from tests.factories import PASSWORD
from tests.test_security import token_for

pytestmark = pytest.mark.django_db


# --- item 2: nothing stored makes a page or a PDF fail ----------------------------------------


def test_a_stored_date_before_meiji_breaks_neither_page_nor_pdf(
    client, case, contractor, section_staff
):
    """What the browser's date input used to file for 「令和7年9月4日」: 0004-07-09."""
    application = filed(case, contractor)
    Application.objects.filter(pk=application.pk).update(
        data={**ECONTRACT_DATA, "applied_on": "0004-07-09"}
    )
    client.force_login(contractor)
    pdf = client.get(reverse("applications:pdf", args=[application.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 200
    client.force_login(section_staff)
    pdf = client.get(reverse("applications:pdf", args=[application.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    page = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    assert page.status_code == 200
    assert "西暦4年7月9日（明治より前の日付）" in page.content.decode()


def test_a_date_never_filed_when_it_cannot_be_read(client, case, contractor):
    """Item 1: 確認 refuses the date with an example; nothing is submitted."""
    client.force_login(contractor)
    data = {**ECONTRACT_DATA, "applied_on": "令和元年4月30日", "action": "confirm"}
    page = client.post(reverse("applications:new", args=[case.pk, "econtract"]), data)
    text = page.content.decode()
    assert "「令和元年4月30日」という日付はありません" in text and "例: 令和7年9月4日" in text
    assert not Application.objects.filter(status="submitted").exists()
    data["applied_on"] = "R7/9/4"
    draft = Application.objects.get()
    page = client.post(reverse("applications:edit", args=[draft.pk]), data)
    assert page.status_code == 302 and page["Location"].endswith("/confirm/")
    draft.refresh_from_db()
    assert draft.data["applied_on"] == "2025-09-04"
    assert "令和7年9月4日" in client.get(page["Location"]).content.decode()


# --- item 3: a contractor on /admin/ ---------------------------------------------------------


def test_a_contractor_on_admin_gets_a_japanese_page_not_a_loop(client, contractor):
    client.force_login(contractor)
    response = client.get("/admin/", follow=True)
    assert len(response.redirect_chain) == 1  # /admin/ → /admin/login/, then the page
    assert response.status_code == 403
    assert "この画面は市の職員用の業務画面です" in response.content.decode()


def test_anonymous_on_admin_still_goes_to_the_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert response.status_code == 200


# --- item 8: the surety admin takes 和暦 and amounts with commas -------------------------------


def test_surety_admin_takes_wareki_and_commas(client, section_staff, case):
    from surety.services import surety_record_other

    certificate = surety_record_other(
        case=case,
        user=section_staff,
        product="performance",
        form="paper",
        issuer_type="bank",
        issuer="足利銀行",
        guarantee_number="BANK-1",
        received_on=dt.date(2025, 11, 20),
        amount=5_000_000,
    )
    from surety.admin import VerifyForm

    form = VerifyForm(
        data={
            "holder": "足利テスト建設 株式会社",
            "beneficiary": "足利市長",
            "amount": "5,000,000",
            "expires_on": "令和8年3月31日",
            "certificate_construction_name": case.title,
            "contract_amount": "５０，０００，０００円",
            "received_on": "R7.11.20",
        },
        instance=certificate,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["expires_on"] == dt.date(2026, 3, 31)
    assert form.cleaned_data["amount"] == 5_000_000
    assert form.cleaned_data["contract_amount"] == 50_000_000
    bad = VerifyForm(data={"expires_on": "令和8年2月30日"}, instance=certificate)
    assert not bad.is_valid()
    assert "例: 令和7年9月4日" in bad.errors["expires_on"][0]


# --- item 9: successful 2FA codes do not count toward the limit -------------------------------


def test_the_eleventh_login_is_not_refused(client, section_staff, settings):
    settings.STAFF_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=section_staff, name="認証アプリ", confirmed=True)
    for _ in range(12):
        client.logout()
        client.post("/accounts/login/", {"username": section_staff.email, "password": PASSWORD})
        device.refresh_from_db()
        device.last_t = -1
        device.save()
        ok = client.post(reverse("accounts:otp_verify"), {"token": token_for(device)})
        assert ok.status_code == 302, ok.status_code
    # wrong codes still count: the 11th wrong one is refused
    client.logout()
    client.post("/accounts/login/", {"username": section_staff.email, "password": PASSWORD})
    statuses = [
        client.post(reverse("accounts:otp_verify"), {"token": "000000"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


# --- item 11: the 申請 list finds part of a 工事名 or a 到達番号 -----------------------------


def test_application_search_by_part_of_title_or_receipt_number(
    client, section_staff, case, contractor
):
    application = filed(case, contractor)
    client.force_login(section_staff)
    url = reverse("admin:applications_application_changelist")
    part_of_title = case.title[1:4]
    part_of_number = application.receipt_number[-6:]
    for term in (part_of_title, part_of_number):
        page = client.get(url, {"q": term}).content.decode()
        assert application.receipt_number in page, term


# --- item 12: 「変更を届け出る」 opens with the accepted values, titled 変更 ---------------------


def test_change_of_the_econtract_filing_is_prefilled_and_titled(
    client, case, contractor, section_staff
):
    from applications import services as application_services

    application = filed(case, contractor)
    application_services.application_accept(application=application, reviewer=section_staff)
    client.force_login(contractor)
    page = client.get(reverse("applications:new", args=[case.pk, "econtract"])).content.decode()
    assert "電子契約利用申出書（変更の届出）" in page
    assert 'value="yamada@ashikaga-test.example"' in page  # not blank
    assert 'value="佐藤 一郎"' in page


# --- item 15: the contractor's home shows 契約準備中 ---------------------------------------


def test_home_shows_contract_in_preparation_once_the_econtract_is_accepted(
    client, case, contractor, section_staff
):
    from applications import services as application_services
    from portal.todo import case_rows

    application = filed(case, contractor)
    assert case_rows(contractor)[0].status == "落札"
    application_services.application_accept(application=application, reviewer=section_staff)
    assert case_rows(contractor)[0].status == "契約準備中"
    client.force_login(contractor)
    assert "契約準備中" in client.get(reverse("home")).content.decode()


# --- item 6: the 締結書類's per-signature checks are Japanese, not raw JSON ---------------------


def test_signature_checks_are_shown_in_japanese():
    from contracts.admin.inlines import signature_checks_html

    html = signature_checks_html(
        [
            {
                "index": 1,
                "kind": "signature",
                "signer": "山田 太郎",
                "intact": True,
                "valid": True,
                "trusted": None,
                "problems": [],
            },
            {"index": 2, "kind": "document_timestamp", "intact": False, "problems": ["改ざん"]},
        ]
    )
    assert "署名1（署名者: 山田 太郎）改ざんなし: はい・署名が有効: はい" in html
    assert "文書タイムスタンプ2" in html and "問題: 改ざん" in html
    assert '"intact"' not in html and "True" not in html and "None" not in html
    assert signature_checks_html([]) == "—"


# --- item 13: the page says 再提出 as the mail does --------------------------------------------


def test_resubmission_is_called_so_on_the_page_and_in_the_mail(
    client, case, contractor, section_staff, django_capture_on_commit_callbacks
):
    from django.core import mail

    from applications import services as application_services

    application = filed(case, contractor)
    application_services.application_return(
        application=application, reviewer=section_staff, reason="担当者のメールアドレスの誤り"
    )
    client.force_login(contractor)
    application.refresh_from_db()
    digest = application_services.application_digest(application)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("applications:submit", args=[application.pk]), {"digest": digest}, follow=True
        )
    text = page.content.decode()
    # the same words on the page and in the contractor's mail
    assert "再提出を受け付けました。到達番号は" in text
    received = [m for m in mail.outbox if m.to == [contractor.email]]
    assert received and "再提出を受け付けました" in received[0].subject
    assert "再提出を受け付けました" in received[0].body
    assert "再受け付け" not in received[0].subject + received[0].body


# --- item 20: リサイクル別紙 after a change of 様式 -----------------------------------------------


def test_recycle_selects_show_nothing_chosen_and_other_defaults_to_none(case, contractor):
    from applications.kinds.recycle import RecycleForm

    form = RecycleForm(initial={"variant": "demolition"}, case=case, company=contractor.company)
    html = str(form["method_other"])
    assert 'value="none" selected' in html  # 「その他」 is 工程なし unless chosen
    first = next(name for name in form.fields if name.startswith("method_") and "other" not in name)
    html = str(form[first])
    assert '<option value="" selected>選んでください</option>' in html
    assert 'value="manual" selected' not in html  # not shown as 手作業 when nothing was chosen
