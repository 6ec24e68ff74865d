"""Issue 23, walked in a real browser as people do it (Debian's Chromium via Playwright, the
sandbox and a real Celery worker): a 和暦 typed in a date field at 360 px, the printable PDF, a
contractor who opens /admin/, send from the 契約 page, the send page updating itself, a 却下 with
a reason and its box in the work queue. Every staff page opened is checked for English, raw JSON
and 「None」. Screenshots under test-output/e2e/issue23/ with E2E_SCREENSHOTS=1."""

import re

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from ashikaga_portal.celery import app as celery_app
from tests.e2e.conftest import Shots, no_sideways_scroll
from tests.e2e.test_browser_flow import link_for, login, staff_login, wait_for, world  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Words a staff page may show in Latin letters: names of the services and file formats, and the
# demo's addresses and file names (stripped before the check).
ALLOWED = {"PDF", "CloudSign", "SHA", "URL", "CSV", "ZIP", "ID"}


def assert_staff_page_is_japanese(page, label: str) -> None:
    text = page.locator("#content").inner_text()
    text = re.sub(r"\S+@\S+", " ", text)  # e-mail addresses
    text = re.sub(r"\S+\.pdf", " ", text, flags=re.IGNORECASE)  # file names
    text = re.sub(
        r"\b[0-9a-f]{32}\b|\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b", " ", text
    )  # 書類ID
    assert "None" not in text, f"{label}: 「None」 on the page"
    assert not re.search(r"[{\[]\s*\"", text), f"{label}: raw JSON on the page"
    english = sorted(set(re.findall(r"[A-Za-z]{3,}", text)) - ALLOWED)
    assert english == [], f"{label}: English on the page: {english}"


def test_issue23_walk(browser, world, contractor, section_staff):  # noqa: F811
    from applications import services as application_services
    from applications.models import Application
    from contracts import services as contract_services
    from contracts.models import Contract, SigningRequest
    from contracts.tasks import sync_signing_status
    from surety.services import surety_record_other
    from tests.pdfs import pdf_upload

    base, case = world["base"], world["case"]
    shot = Shots("issue23")
    phone = browser.new_context(
        locale="ja-JP", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()

    # 1. the contractor types 和暦 in a date field on a phone; a date that never existed is
    # refused at 確認 with an example; the 確認 shows 和暦 back
    login(page, base, contractor.email)
    page.goto(f"{base}{reverse('applications:new', args=[case.pk, 'econtract'])}")
    assert page.get_attribute("#id_applied_on", "type") == "text"
    assert page.get_attribute("#id_applied_on__picker", "type") == "date"  # the calendar
    page.fill("#id_applied_on", "令和元年4月30日")
    page.fill("#id_signer_name", "山田 太郎")
    page.fill("#id_signer_email", "yamada@ashikaga-test.example")
    page.fill("#id_staff1_name", "佐藤 一郎")
    page.fill("#id_staff1_email", "sato@ashikaga-test.example")
    page.get_by_role("button", name="確認画面へ進む").click()
    error = page.get_by_text(re.compile("という日付はありません.*例: 令和7年9月4日"))
    error.first.wait_for()
    no_sideways_scroll(page, "date refused")
    shot(page, "date-refused-360")
    assert not Application.objects.filter(status="submitted").exists()

    page.fill("#id_applied_on", "令和七年九月四日")
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_role("heading", name="電子契約利用申出書（確認）").wait_for()
    assert "令和7年9月4日" in page.content()
    assert "読めません" not in page.content()
    no_sideways_scroll(page, "confirm")
    shot(page, "date-confirm-360")
    page.get_by_role("button", name="提出する").click()
    page.get_by_text(re.compile("到達番号は")).wait_for()
    econtract = Application.objects.get(kind="econtract")
    assert econtract.data["applied_on"] == "2025-09-04"

    # 2. the printable PDF of that filing
    response = page.request.get(f"{base}{reverse('applications:pdf', args=[econtract.pk])}")
    assert response.status == 200 and response.body().startswith(b"%PDF-")

    # 3. the contractor opens /admin/: a Japanese page, no redirect loop
    response = page.goto(f"{base}/admin/")
    assert response.status == 403
    assert "この画面は市の職員用の業務画面です" in page.content()
    no_sideways_scroll(page, "staff only")
    shot(page, "contractor-on-admin-360")

    # staff accept the 申出書; a paper 契約保証 is received; the contract PDF is registered
    application_services.application_accept(application=econtract, reviewer=section_staff)
    import datetime as dt

    surety_record_other(
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
    contract = contract_services.contract_create(
        case=case, user=section_staff, tax_amount=4_545_454
    )
    contract_services.contract_add_file(contract=contract, user=section_staff, upload=pdf_upload())

    staff = browser.new_context(locale="ja-JP").new_page()
    staff_login(staff, world, section_staff)

    # 4. send from the 契約 page: it links to 送信前の確認
    staff.goto(f"{base}{reverse('admin:contracts_contract_change', args=[contract.pk])}")
    assert_staff_page_is_japanese(staff, "contract page")
    assert "50,000,000" in staff.input_value("#id_amount")
    shot(staff, "contract-page")
    staff.locator("#to-send").click()
    staff.locator("#pdf-check").wait_for()
    assert_staff_page_is_japanese(staff, "send page")

    # 14. after 送信 the page shows 送信待ち and refreshes itself (no JavaScript needed) until the
    # document is at the sandbox
    staff.get_by_role("button", name="電子署名に送信する").click()
    staff.locator("#progress[data-status=queued]").wait_for()
    assert staff.locator('meta[http-equiv="refresh"]').count() == 1
    assert_staff_page_is_japanese(staff, "send page, queued")
    shot(staff, "send-queued")
    staff.goto(f"{base}{reverse('admin:contracts_contract_change', args=[contract.pk])}")
    assert staff.locator("#id_stamp_nature").count() == 0  # not editable while signing
    staff.goto(f"{base}{reverse('admin:contracts_contract_send', args=[contract.pk])}")
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        staff.locator("#progress[data-status=waiting]").wait_for(timeout=60_000)
        assert staff.locator('meta[http-equiv="refresh"]').count() == 0
        shot(staff, "send-at-sandbox")

        # 5. the contractor's signer 却下s with a reason
        signer = browser.new_context(locale="ja-JP").new_page()
        signer.goto(link_for("yamada@ashikaga-test.example"))
        signer.fill("textarea", "工期の終期が誤っています。")
        signer.get_by_role("button", name="同意せず却下").click()
        signer.get_by_text(re.compile("却下")).first.wait_for()
        sync_signing_status.delay()
        wait_for(lambda: Contract.objects.get(pk=contract.pk).status == "rejected")

    # … its box in the work queue, with the reason and the date; not under 送信できる契約
    staff.goto(f"{base}/admin/")
    box = staff.locator("#queue-rejected")
    assert box.locator(".count").get_attribute("data-count") == "1"
    assert "工期の終期が誤っています。" in box.inner_text()
    assert re.search(r"却下 令和\d+年\d+月\d+日", box.inner_text())
    assert staff.locator("#queue-ready .count").get_attribute("data-count") == "0"
    assert_staff_page_is_japanese(staff, "work queue")
    shot(staff, "queue-rejected")

    # … the reason on the 契約 page; no resend of the same PDF without a recorded decision
    box.get_by_role("link", name=re.compile(case.number)).click()
    assert "工期の終期が誤っています。" in staff.locator("#rejection").inner_text()
    assert "却下された契約です" in staff.locator("#gate-problems").inner_text()
    assert_staff_page_is_japanese(staff, "contract rejected")
    shot(staff, "contract-rejected")
    staff.fill("#id_resend_reason", "事業者が誤って却下したと電話で確認したため")
    staff.get_by_role("button", name="このまま再送信すると記録する").click()
    staff.get_by_text("そのまま再送信する判断を記録しました。").wait_for()
    assert staff.locator("#to-send").count() == 1
    assert SigningRequest.objects.filter(contract=contract).count() == 1
    shot(staff, "contract-resend-decided")

    # … and the contractor sees the state
    page.goto(f"{base}/")
    assert "却下" in page.locator("main").inner_text()
    no_sideways_scroll(page, "home rejected")
    shot(page, "contractor-home-rejected-360")
