"""With DEBUG off, every error answers in Japanese in the portal's layout, with a way back."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User

LAYOUT = ("足利市 電子契約ポータル", 'lang="ja"', "portal.css")
WAY_BACK = "トップページ（案件一覧）へ戻る"


def assert_portal_error(response, status: int, heading: str) -> None:
    body = response.content.decode()
    assert response.status_code == status
    assert heading in body, body[:500]
    for part in (*LAYOUT, WAY_BACK, 'href="/"'):
        assert part in body, part
    for english in ("Not Found", "Server Error", "Forbidden", "Bad Request", "CSRF verification"):
        assert english not in body, english


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.core.error_urls"


@pytest.mark.django_db
def test_404_logged_in_and_not(production, client, contractor):
    assert_portal_error(client.get("/no-such-page/"), 404, "ページが見つかりません（404）")
    client.force_login(contractor)
    response = client.get(reverse("applications:detail", args=[999999]))
    assert_portal_error(response, 404, "ページが見つかりません（404）")
    assert "案件一覧" in response.content.decode()  # the contractor's own menu stays


@pytest.mark.django_db
def test_500_without_a_request_context(production, contractor):
    client = Client(raise_request_exception=False)
    client.force_login(contractor)
    response = client.get("/__test__/boom/")
    assert_portal_error(response, 500, "システムでエラーが発生しました（500）")
    assert "a bug" not in response.content.decode()


@pytest.mark.django_db
def test_403_and_400(production, client):
    assert_portal_error(
        client.get("/__test__/forbidden/"), 403, "この画面を表示する権限がありません"
    )
    assert_portal_error(
        client.get("/__test__/bad/"), 400, "リクエストの内容が正しくありません（400）"
    )


@pytest.mark.django_db
def test_403_csrf_says_what_to_do_and_changes_nothing(production, contractor, case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(contractor)
    url = reverse("applications:new", args=[case.pk, "econtract"])
    response = client.post(url, {"signer_name": "山田 太郎", "action": "save"})
    assert_portal_error(response, 403, "画面の有効期限が切れたため、送信できませんでした")
    assert "再読み込み" in response.content.decode()
    assert not case.applications.exists()


@pytest.mark.django_db
def test_429(production, client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (1, 3600)}
    client.post(reverse("accounts:password_reset"), {"email": "a@example.com"})
    response = client.post(reverse("accounts:password_reset"), {"email": "a@example.com"})
    assert_portal_error(response, 429, "アクセスが集中しています（429）")
    assert response["Retry-After"] == "60"
    assert not User.objects.exists()


@pytest.fixture
def demo_debug(settings):
    """`make run`: DEBUG on, PORTAL_ERROR_PAGES_IN_DEBUG at its default."""
    settings.DEBUG = True
    settings.PORTAL_ERROR_PAGES_IN_DEBUG = True
    settings.ROOT_URLCONF = "tests.core.error_urls_debug"


@pytest.mark.django_db
def test_the_demo_shows_the_japanese_404_and_500_with_debug_on(demo_debug, contractor, caplog):
    """Issue 23 item 10: with DEBUG on the demo showed Django's English debug pages."""
    client = Client(raise_request_exception=False)
    assert_portal_error(client.get("/no-such-page/"), 404, "ページが見つかりません（404）")
    response = client.get("/no-such-page", follow=True)  # APPEND_SLASH, then the page
    assert_portal_error(response, 404, "ページが見つかりません（404）")
    assert client.get("/admin").status_code == 301  # APPEND_SLASH still works
    client.force_login(contractor)
    response = client.get(reverse("applications:detail", args=[999999]))
    assert_portal_error(response, 404, "ページが見つかりません（404）")
    with caplog.at_level("ERROR", logger="django.request"):
        response = client.get("/__test__/boom/")
    assert_portal_error(response, 500, "システムでエラーが発生しました（500）")
    assert "Traceback" not in response.content.decode()
    assert "a bug" in caplog.text  # the developer still gets the traceback in the console


@pytest.mark.django_db
def test_the_debug_pages_remain_available_when_asked(demo_debug, settings):
    settings.PORTAL_ERROR_PAGES_IN_DEBUG = False
    settings.ROOT_URLCONF = "tests.core.error_urls"
    response = Client(raise_request_exception=False).get("/no-such-page/")
    assert response.status_code == 404
    assert "URLconf" in response.content.decode()  # Django's technical 404
