"""Issue 14 in a real browser (Debian's Chromium driven by Playwright, axe-core on every page):
the first filing of every kind goes error → correct → 確認 → 提出 → 受付完了; amounts typed with
separators or full-width digits are saved and reopened; the receipt; the home's to-dos; every
contractor page at 360 px without sideways scroll. The README's screenshots come from here."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications.kinds import kinds_for
from tests.e2e.conftest import DATA, Shots, check_accessibility, no_sideways_scroll
from tests.factories import PASSWORD, CaseFactory
from tests.surety.notices import notice_pdf, standard

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PHONE = {"width": 360, "height": 740}

# What a person types into each kind's form, and one mistake they make first.
GOOD = {
    "econtract": {
        "signer_name": "山田 太郎",
        "signer_email": "yamada@ashikaga-test.example",
        "staff1_name": "佐藤 一郎",
        "staff1_email": "sato@ashikaga-test.example",
    },
    "advance_payment": {
        "requested_amount": "16,000,000",
        "guarantee_number": "31072-0001M",
        "guarantee_amount": "１６，０００，０００円",
        "guarantee_until": "2026-03-31",
        "certificate_form": "electronic",
        "bank_name": "足利銀行",
        "branch_name": "本店営業部",
        "account_type": "ordinary",
        "account_number": "1234567",
        "account_holder": "足利テスト建設（株）前払金専用口座",
    },
    "midterm_choice": {"choice": "midterm", "pledge": True},
    "site_agent": {
        "agent_name": "田中 四郎",
        "agent_kana": "たなか しろう",
        "engineer_role": "chief",
        "engineer_name": "田中 四郎",
        "engineer_kana": "たなか しろう",
        "engineer_qualification": "1級土木施工管理技士",
        "full_time": "full",
        "start_on": "2025-11-10",
    },
    "recycle": {
        **{f"method_{p}": "manual" for p in ("temporary", "earthwork", "foundation")},
        **{f"method_{p}": "none" for p in ("structure", "fixtures", "other")},
        "demolition_cost": "1,200,000",
        "facility_concrete_name": "足利リサイクルセンター",
        "facility_concrete_address": "足利市寺岡町100番地",
        "recycling_cost": "８００，０００",
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
        "pledge": True,
    },
    "service_engineers": {
        "manager_name": "高橋 次郎",
        "manager_qualification": "技術士（建設部門）",
        "checker_name": "伊藤 三郎",
        "checker_qualification": "RCCM",
    },
    "schedule": {"note": "雨天時は順延"},
    "qualification": {"note": ""},
    "surety_notice": {},
}
MISTAKE = {
    "econtract": ("signer_email", "yamada@", "メールアドレスの形式が正しくありません。"),
    "advance_payment": (
        "guarantee_amount",
        "999999999999999999999",
        "金額が大きすぎます。999,999,999,999円以下で入力してください。",
    ),
    "midterm_choice": (
        "pledge",
        False,
        "「選択しなかった支払方法は請求しないことを届け出ます」にチェックを入れてください。",
    ),
    "site_agent": ("start_on", "2024-01-01", "配置開始日は工期"),
    "recycle": (
        "demolition_cost",
        "百二十万円",
        "金額は数字で入力してください（例: 20,000,000）。",
    ),
    "agent_concurrent": ("other_end", "2025-10-01", "工期の終期は始期以降の日付にしてください。"),
    "service_engineers": (
        "checker_name",
        "高橋 次郎",
        "照査技術者は業務主任技術者（管理技術者）と別の者を選任してください。",
    ),
    "schedule": (None, None, "工程表のPDFを添付してください。"),
    "qualification": (None, None, "資格を証する書類のPDFを添付してください。"),
    "surety_notice": ("guarantee_number", "abc", "保証契約番号は保証証書・お知らせに記載の番号"),
}
# The right value where the mistake's field has none in GOOD (read from the notice).
FIX = {"surety_notice": "31072-0002K"}
# The PDFs each kind requires (one per 「下書き保存」), as a person attaches them.
ATTACH = {
    "schedule": ["schedule"],
    "qualification": ["qualification"],
    "agent_concurrent": ["schedule", "location_map"],
}


def login(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(re.compile(r"/$"))


def fill(page, name, value):
    field = page.locator(f"[name={name}]")
    kind = field.first.evaluate("e => e.type || e.tagName.toLowerCase()")
    if kind == "checkbox":
        field.set_checked(bool(value))
    elif kind == "radio":
        page.check(f"[name={name}][value={value}]")
    elif kind.startswith("select"):
        field.select_option(value)
    else:
        field.fill(value)


@pytest.fixture
def cases(live_server, settings, company, department, contractor):
    settings.SITE_URL = live_server.url
    build = CaseFactory(
        number="R7-KE-0101",
        title="市道1234号線道路改良工事",
        awarded_company=company,
        department=department,
        amount=40_000_000,  # below the 兼任 limit (AGENT_CONCURRENT_AMOUNT_LIMIT)
    )
    service = CaseFactory(
        number="R7-GY-0201",
        title="橋梁点検業務委託",
        category="construction_service",
        awarded_company=company,
        department=department,
        amount=8_800_000,
    )
    return {"base": live_server.url, "build": build, "service": service}


def test_first_filing_of_every_kind_error_correct_confirm_submit(browser, cases, tmp_path):
    from applications.models import Application

    base = cases["base"]
    shot = Shots("filing")
    notice = tmp_path / "認証キーのお知らせ.pdf"
    notice.write_bytes(notice_pdf(standard()))
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    login(page, base, "taro@ashikaga-test.example")
    # (the 中間前金払 認定 kinds need a 前払金 and half the 工期 first: their own browser test,
    # test_midterm_certification_flow)
    plan = [
        (cases["build"], k)
        for k in kinds_for(cases["build"].category)
        if k.code not in ("work_report", "midterm_certification")
    ] + [
        (cases["service"], k)
        for k in kinds_for(cases["service"].category)
        if k.code in ("service_engineers", "qualification")
    ]
    assert {k.code for _, k in plan} == set(GOOD)  # every kind there is
    for case, kind in plan:
        docs = kind.code == "econtract"
        page.goto(f"{base}{reverse('case_detail', args=[case.pk])}")
        page.get_by_role(
            "link", name=re.compile(rf"提出する\s*（{re.escape(kind.title)}）")
        ).click()
        page.get_by_role("heading", name=kind.title, exact=True).wait_for()
        if docs:
            check_accessibility(page)
        if kind.code == "surety_notice":  # read the notice first, then confirm what was read
            page.set_input_files("#id_upload", str(notice))
            page.get_by_role("button", name="下書き保存").click()
            page.get_by_text("PDFを読み取りました。").wait_for()
        for name, value in GOOD[kind.code].items():
            fill(page, name, value)
        field, wrong, message = MISTAKE[kind.code]
        if field:
            fill(page, field, wrong)
        page.get_by_role("button", name="確認画面へ進む").click()
        page.get_by_text(message).first.wait_for()
        assert "下書きとして保存しました" in page.content()
        if docs:
            check_accessibility(page)
            shot(page, "error", docs="filing-1-error")
        application = Application.objects.get(case=case, kind=kind.code)
        assert application.status == "draft"
        # the page now posts to the 下書き it made: correcting it files the same 下書き
        action = page.locator("form.form").get_attribute("action")
        assert action == reverse("applications:edit", args=[application.pk]), kind.code
        if field:
            fill(page, field, GOOD[kind.code].get(field) or FIX[kind.code])
        for purpose in ATTACH.get(kind.code, []):
            page.select_option("#id_purpose", purpose)
            page.set_input_files("#id_upload", str(DATA / "contract-construction.pdf"))
            page.get_by_role("button", name="下書き保存").click()
            page.get_by_text("下書きを保存しました。").wait_for()
        if field:  # (a 下書き保存 shows the 下書き again: the correction stays typed)
            assert page.input_value(f"[name={field}]") != wrong or field == "pledge"
        page.get_by_role("button", name="確認画面へ進む").click()
        page.get_by_role("heading", name=f"{kind.title}（確認）").wait_for()
        if kind.code in ATTACH:
            assert page.get_by_text("contract-construction.pdf").count() == len(ATTACH[kind.code])
        if docs:
            check_accessibility(page)
            shot(page, "confirm", docs="filing-2-confirm")
        page.get_by_role("button", name="提出する").click()
        page.get_by_role("heading", name="受付完了").wait_for()
        application.refresh_from_db()
        assert application.status == "submitted" and application.receipt_number
        assert application.receipt_number in page.content()
        assert re.search(r"令和\d+年\d+月\d+日 \d+時\d\d分", page.content())
        if docs:
            check_accessibility(page)
            shot(page, "done", docs="filing-3-done")
            # the receipt PDF, as the browser fetches it
            href = page.get_by_role("link", name="受付票（PDF）を表示・印刷").get_attribute("href")
            response = context.request.get(base + href)
            assert response.headers["content-type"] == "application/pdf"
            text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
            assert application.receipt_number in text and "受付票" in text
    assert Application.objects.filter(status="submitted").count() == len(plan)
    assert Application.objects.count() == len(plan)  # one filing per kind, nothing duplicated
    context.close()


AMOUNTS = {
    "advance_payment": ("requested_amount", "guarantee_amount"),
    "recycle": ("demolition_cost", "recycling_cost"),
    "agent_concurrent": ("other_amount",),
}


def test_amounts_typed_with_separators_are_saved_and_reopened(browser, cases):
    from applications.models import Application

    base, case = cases["base"], cases["build"]
    page = browser.new_context(locale="ja-JP").new_page()
    login(page, base, "taro@ashikaga-test.example")
    for typed in ("8,000,000", "８，０００，０００"):
        for kind, fields in AMOUNTS.items():
            existing = Application.objects.filter(case=case, kind=kind).first()
            url = (
                reverse("applications:edit", args=[existing.pk])
                if existing
                else reverse("applications:new", args=[case.pk, kind])
            )
            page.goto(base + url)
            for name in fields:
                page.fill(f"#id_{name}", typed)
            page.get_by_role("button", name="下書き保存").click()
            page.get_by_text("下書きを保存しました。").wait_for()
            application = Application.objects.get(case=case, kind=kind)
            for name in fields:  # stored as a number
                assert application.data[name] == 8_000_000, (kind, name, typed)
            page.goto(f"{base}{reverse('applications:edit', args=[application.pk])}")
            for name in fields:  # reopened as people read it
                assert page.input_value(f"#id_{name}") == "8,000,000", (kind, name)
            page.goto(f"{base}{reverse('applications:detail', args=[application.pk])}")
            assert page.get_by_text("8,000,000円").count() == len(fields)
            pdf = page.context.request.get(
                f"{base}{reverse('applications:pdf', args=[application.pk])}"
            )
            assert pdf.status == 200 and pdf.body().startswith(b"%PDF-")


def test_home_shows_what_to_do_next(browser, cases, section_staff):
    from applications import services
    from contracts.models import Signer
    from tests.applications.helpers import filed
    from tests.factories import archived

    base, build, service = cases["base"], cases["build"], cases["service"]
    from accounts.models import User

    contractor = User.objects.get(email="taro@ashikaga-test.example")
    returned = filed(build, contractor, "econtract")
    services.application_return(
        application=returned,
        reviewer=section_staff,
        reason="契約担当者1のメールアドレスを確認してください。",
        deadline=timezone.localdate() + dt.timedelta(days=3),
    )
    contract = archived(
        service, contract_date=timezone.localdate(), amount=8_800_000, status="signing"
    )
    Signer.objects.filter(signing_request__contract=contract, role="contractor").update(
        link_expires_at=timezone.now() + dt.timedelta(days=6)
    )
    shot = Shots("home")
    for label, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", PHONE)):
        page = browser.new_context(locale="ja-JP", viewport=viewport).new_page()
        login(page, base, contractor.email)
        cards = page.locator("li.card")
        assert cards.count() == 2
        assert "差戻し（期限 令和" in cards.nth(0).inner_text()  # the most urgent first
        assert "署名依頼中 — 有効期限 令和" in cards.nth(1).inner_text()
        assert "未提出の書類" in cards.nth(0).inner_text()
        no_sideways_scroll(page, f"home ({label})")
        check_accessibility(page)
        shot(page, label, docs=f"home-{label}")
        page.get_by_role("link", name=re.compile("差戻し（期限")).click()
        page.get_by_text("契約担当者1のメールアドレスを確認してください。").wait_for()
        assert page.locator("form.form").count() == 1  # straight to the form
        page.context.close()


def test_every_contractor_page_at_360px(browser, cases, section_staff, tmp_path):
    from applications import services
    from applications.models import Application
    from tests.applications.helpers import filed
    from tests.factories import archived

    base, build, service = cases["base"], cases["build"], cases["service"]
    from accounts.models import User

    contractor = User.objects.get(email="taro@ashikaga-test.example")
    notice = tmp_path / "お知らせ.pdf"
    notice.write_bytes(notice_pdf(standard()))
    econtract = filed(build, contractor, "econtract")
    schedule = filed(build, contractor, "schedule", with_pdf="schedule")
    services.application_return(application=schedule, reviewer=section_staff, reason="工程の見直し")
    draft = filed(build, contractor, "site_agent", submit=False)
    concluded = archived(
        build, contract_date=dt.date(2025, 12, 1), amount=55_000_000, tax=5_000_000
    )
    signing = archived(
        service, contract_date=timezone.localdate(), amount=8_800_000, status="signing"
    )
    context = browser.new_context(
        locale="ja-JP", viewport=PHONE, is_mobile=True, device_scale_factor=2
    )
    page = context.new_page()
    login(page, base, contractor.email)
    shot = Shots("phone-360")
    # the 認証キーのお知らせ: read, so that its page and the case's 保証証書 table have content
    page.goto(f"{base}{reverse('applications:new', args=[build.pk, 'surety_notice'])}")
    page.set_input_files("#id_upload", str(notice))
    page.get_by_role("button", name="下書き保存").click()
    page.get_by_text("PDFを読み取りました。").wait_for()
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_role("button", name="提出する").click()
    page.get_by_role("heading", name="受付完了").wait_for()
    surety = Application.objects.get(kind="surety_notice")
    pages = [
        ("home", reverse("home")),
        ("case", reverse("case_detail", args=[build.pk])),
        ("case-service", reverse("case_detail", args=[service.pk])),
        *[
            (f"new-{k.code}", reverse("applications:new", args=[build.pk, k.code]))
            for k in kinds_for(build.category)
            if k.code not in ("econtract", "schedule", "site_agent", "surety_notice")
        ],
        (
            "new-service_engineers",
            reverse("applications:new", args=[service.pk, "service_engineers"]),
        ),
        ("edit-draft", reverse("applications:edit", args=[draft.pk])),
        ("edit-returned", reverse("applications:edit", args=[schedule.pk])),
        ("confirm", reverse("applications:confirm", args=[draft.pk])),
        ("detail", reverse("applications:detail", args=[econtract.pk])),
        ("detail-surety", reverse("applications:detail", args=[surety.pk])),
        ("done", reverse("applications:done", args=[econtract.pk])),
        ("withdraw", reverse("applications:withdraw", args=[econtract.pk])),
        ("delete-draft", reverse("applications:withdraw", args=[draft.pk])),
        ("contracts", reverse("contract_list")),
        ("contract-concluded", reverse("contract_detail", args=[concluded.pk])),
        ("contract-signing", reverse("contract_detail", args=[signing.pk])),
        ("signed", reverse("signed_contracts")),
        ("otp", reverse("accounts:otp_setup")),
        ("not-found", "/no-such-page/"),
    ]
    for label, url in pages:
        page.goto(base + url)
        no_sideways_scroll(page, label)
        check_accessibility(page)
        shot(page, label, docs="phone-case" if label == "case" else None)
    # the edit page after a mistake (error messages are the widest content)
    page.goto(f"{base}{reverse('applications:edit', args=[draft.pk])}")
    page.fill("#id_start_on", "2024-01-01")
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_text("配置開始日は工期").first.wait_for()
    no_sideways_scroll(page, "edit-error")
    check_accessibility(page)
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url(re.compile("/accounts/login/"))
    for label, url in (
        ("login", "/accounts/login/"),
        ("reset", reverse("accounts:password_reset")),
    ):
        page.goto(base + url)
        no_sideways_scroll(page, label)
        check_accessibility(page)
    context.close()
