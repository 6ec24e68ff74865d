import datetime as dt
import re

from applications import services
from applications.models import Application
from tests.pdfs import make_pdf

ECONTRACT_DATA = {
    "applied_on": "2025-11-25",
    "address": "栃木県足利市本城3丁目2145番地",
    "company_name": "足利テスト建設 株式会社",
    "representative": "山田 太郎",
    "case_title": "市道1号線道路改良工事",
    "case_place": "足利市本城3丁目地内",
    "signer_name": "山田 太郎",
    "signer_email": "yamada@ashikaga-test.example",
    "staff1_name": "佐藤 一郎",
    "staff1_email": "sato@ashikaga-test.example",
}

VALID = {
    "econtract": ECONTRACT_DATA,
    "advance_payment": {
        "requested_amount": "20000000",
        "guarantor": "東日本建設業保証株式会社",
        "guarantee_number": "31072-0001M",
        "guarantee_amount": "20000000",
        "guarantee_until": "2026-03-31",
        "certificate_form": "electronic",
        "bank_name": "足利銀行",
        "branch_name": "本店営業部",
        "account_type": "ordinary",
        "account_number": "1234567",
        "account_holder": "足利テスト建設（株）前払金専用口座",
    },
    "midterm_choice": {"choice": "midterm", "pledge": "on"},
    "service_engineers": {
        "manager_name": "高橋 次郎",
        "manager_qualification": "技術士（建設部門）",
        "checker_name": "伊藤 三郎",
        "checker_qualification": "RCCM",
    },
    "site_agent": {
        "agent_name": "田中 四郎",
        "agent_kana": "たなか しろう",
        "agent_authority": "契約書に定める権限",
        "agent_objection": "書面による",
        "engineer_role": "chief",
        "engineer_name": "田中 四郎",
        "engineer_kana": "たなか しろう",
        "engineer_qualification": "1級土木施工管理技士",
        "full_time": "full",
        "start_on": "2025-11-10",
    },
    "schedule": {"note": ""},
}


def filed(case, user, kind="econtract", *, submit=True, data=None, with_pdf=None) -> Application:
    """An application made through the services, as the contractor's pages make it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    application = services.application_create(
        case=case, company=user.company, kind=kind, user=user, data=dict(data or VALID[kind])
    )
    if with_pdf:
        services.attachment_add(
            application=application,
            user=user,
            upload=SimpleUploadedFile("工程表.pdf", make_pdf(), content_type="application/pdf"),
            purpose=with_pdf,
        )
    if submit:
        application = services.application_submit(application=application, user=user)
    return application


def today() -> dt.date:
    return dt.date.today()


def file_via_pages(client, url: str, data: dict):
    """入力 → 確認 → 提出 as a person does it: post the form with 「確認画面へ進む」, open the
    確認画面, and press 提出する there (which sends back the fingerprint the page shows).
    Returns the last response (the redirect to 受付完了, or the page that refused)."""
    response = client.post(url, {**data, "action": "confirm"})
    if response.status_code != 302 or not response["Location"].endswith("/confirm/"):
        return response
    page = client.get(response["Location"]).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)
    submit = re.search(r'action="([^"]+/submit/)"', page).group(1)
    return client.post(submit, {"digest": digest})


WORK_REPORT = {
    "planned_rate": "50",
    "actual_rate": "55",
    "cost_incurred": "30000000",
    "schedule_on_track": "yes",
    "remarks": "躯体工事完了",
}


def certify_midterm(case, user, reviewer):
    """The 中間前金払 認定 over the real path (工事履行報告書 → 認定請求書 → 認定): the case's 工期
    must be half over and its 前払金 and ④ filed already."""
    report = {**WORK_REPORT, "reported_on": case.period_end.isoformat()}
    filed(case, user, "work_report", data=report)
    request = filed(case, user, "midterm_certification", data={"pledge": "on"})
    return services.midterm_certify(application=request, reviewer=reviewer, certified=True)
