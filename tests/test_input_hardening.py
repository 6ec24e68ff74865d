"""Hostile input gets a clear Japanese answer, never a 500, and nothing is stored."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services as application_services
from applications.models import Application
from contracts import services as contract_services
from contracts.models import SigningRequest, WebhookReceipt
from core.models import StoredFile
from tests.applications.helpers import file_via_pages
from tests.pdfs import make_pdf
from tests.surety.notices import notice_pdf, standard

KEY = "Q7mD2xKp9LwA"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, message",
    [
        ({"year": "10000"}, "年度の指定が範囲外です"),
        ({"year": "令和7"}, "年度の指定が正しくありません"),
        ({"department": "abc"}, "担当課の指定が正しくありません"),
    ],
)
def test_dashboard_bad_parameters_are_a_japanese_400(staff_client, query, message):
    response = staff_client.get(reverse("admin:contracts_contract_dashboard"), query)
    assert response.status_code == 400
    page = response.content.decode()
    assert "リクエストの内容が正しくありません" in page and message in page
    assert (
        staff_client.get(
            reverse("admin:contracts_contract_dashboard"), {"year": "2025"}
        ).status_code
        == 200
    )


@pytest.mark.django_db
def test_nul_in_query_strings_is_a_japanese_400(staff_client, case):
    for url, query in (
        (reverse("admin:applications_application_changelist"), {"kind": "\x00"}),
        (
            "/admin/autocomplete/",
            {
                "term": "\x00",
                "app_label": "contracts",
                "model_name": "contract",
                "field_name": "case",
            },
        ),
        (reverse("admin:contracts_contract_archive"), {"q": "道路\x00"}),
    ):
        response = staff_client.get(url, query)
        assert response.status_code == 400, url
        assert "NUL文字" in response.content.decode()


def draft_post(client, case, **fields):
    return client.post(
        reverse("applications:new", args=[case.pk, "surety_notice"]),
        {"action": "save", "purpose": "surety_notice", **fields},
    )


@pytest.mark.django_db
def test_a_nul_in_a_draft_is_refused_and_nothing_stored(client, contractor, case):
    client.force_login(contractor)
    response = draft_post(client, case, construction_name="市道\x00改良工事")
    assert response.status_code == 400 and "NUL文字" in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_drafts_respect_max_length(client, contractor, case):
    client.force_login(contractor)
    huge = "A" * 1_000_000  # 4 × 1 MB: under the 5 MB request limit, far over every field
    response = draft_post(
        client,
        case,
        construction_name=huge,
        contractor_name=huge,
        guarantee_number=huge,
        auth_key=huge,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "保存できない入力があります" in page and "300文字以内で入力してください" in page
    assert "40文字以内で入力してください" in page and "64文字以内で入力してください" in page
    assert not Application.objects.exists()
    ok = draft_post(client, case, construction_name="市道1234号線道路改良工事")
    assert ok.status_code == 302 and Application.objects.count() == 1


@pytest.mark.django_db
def test_the_key_is_never_sent_back_after_a_return(client, contractor, case, section_staff):
    client.force_login(contractor)
    client.post(
        reverse("applications:new", args=[case.pk, "surety_notice"]),
        {
            "action": "save",
            "purpose": "surety_notice",
            "upload": SimpleUploadedFile("お知らせ.pdf", notice_pdf(standard(key=KEY))),
        },
    )
    application = Application.objects.get()
    form = {k: application.data[k] for k in ("construction_name", "contractor_name", "product")}
    form |= {"guarantee_number": application.data["guarantee_number"], "auth_key": KEY}
    file_via_pages(  # 入力 → 確認 → 提出
        client,
        reverse("applications:edit", args=[application.pk]),
        {**form, "purpose": "surety_notice"},
    )
    application.refresh_from_db()
    assert application.status == "submitted"
    application_services.application_return(
        application=application, reviewer=section_staff, reason="工事名を確認してください。"
    )
    page = client.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert KEY not in page
    assert 'type="password"' in page and 'name="auth_key"' in page
    # saved with the key left blank: the key stays
    client.post(
        reverse("applications:edit", args=[application.pk]),
        {**form, "auth_key": "", "purpose": "surety_notice", "action": "save"},
    )
    application.refresh_from_db()
    assert application.data["auth_key"] == KEY
    # an invalid re-submission does not echo it either
    again = client.post(
        reverse("applications:edit", args=[application.pk]),
        {
            **form,
            "guarantee_number": "",
            "auth_key": "",
            "purpose": "surety_notice",
            "action": "submit",
        },
    )
    assert KEY not in again.content.decode()


def test_control_and_format_characters_leave_file_names():
    from core.uploads import original_name

    assert original_name("請求書\u202efdp.exe") == "請求書fdp.exe"
    assert original_name("C:\\Users\\taro\\工程表\u2066.pdf\u2069") == "工程表.pdf"
    assert original_name("a\x00b\r\n.pdf") == "ab.pdf"
    assert original_name("\u202e") == "document.pdf"


@pytest.mark.django_db
def test_rtl_override_is_stripped_from_file_names(client, contractor, case):
    client.force_login(contractor)
    client.post(
        reverse("applications:new", args=[case.pk, "schedule"]),
        {
            "action": "save",
            "purpose": "schedule",
            "upload": SimpleUploadedFile("工程表\u202efdp.exe\u200b.pdf", make_pdf()),
        },
    )
    stored = StoredFile.objects.get()
    assert stored.original_name == "工程表fdp.exe.pdf"


@pytest.fixture
def signing_request(case, section_staff):
    contract = contract_services.contract_create(case=case, user=section_staff)
    return SigningRequest.objects.create(contract=contract, document_id="a" * 32)


def hook(client, settings, body):
    settings.CLOUDSIGN_WEBHOOK_SECRET = "s" * 40
    return client.post(
        f"/hooks/cloudsign/{'s' * 40}/", json.dumps(body), content_type="application/json"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("status", [2147483648, -1, 10**30])
def test_webhook_status_out_of_range_is_a_400(client, settings, signing_request, status):
    response = hook(client, settings, {"documentID": "a" * 32, "status": status})
    assert response.status_code == 400
    assert not WebhookReceipt.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_webhook_with_the_broker_down_is_recorded_not_a_500(
    client, settings, signing_request, monkeypatch
):
    from kombu.exceptions import OperationalError

    from contracts import wakeups

    def broker_down(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(wakeups, "enqueue", broker_down)
    response = hook(client, settings, {"documentID": "a" * 32, "status": 2})
    assert response.status_code == 200 and response.json()["ok"] is True
    assert WebhookReceipt.objects.filter(signing_request=signing_request).count() == 1
