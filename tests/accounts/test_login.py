from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def post_login(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


@pytest.mark.django_db
def test_contractor_logs_in_with_email_and_lands_home(client, contractor, case):
    response = post_login(client, "  TARO@ashikaga-test.example ", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert case.title in home.content.decode()


@pytest.mark.django_db
def test_staff_land_in_the_admin_titled_in_japanese(client, section_staff):
    response = post_login(client, section_staff.email, PASSWORD)
    assert response["Location"] == reverse("admin:index")
    admin_page = client.get(reverse("admin:index")).content.decode()
    assert "足利市 電子契約ポータル 管理" in admin_page


@pytest.mark.django_db
def test_wrong_password_has_a_japanese_message(client, contractor):
    response = post_login(client, contractor.email, "wrong")
    assert response.status_code == 200
    assert "メールアドレスまたはパスワードが正しくありません。" in response.content.decode()


@pytest.mark.django_db
def test_five_failures_lock_the_account_for_15_minutes(client, contractor):
    for _ in range(4):
        assert post_login(client, contractor.email, "wrong").status_code == 200
    fifth = post_login(client, contractor.email, "wrong")
    assert fifth.status_code == 429
    # Locked even with the right password now.
    locked = post_login(client, contractor.email, PASSWORD)
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "5回続けて失敗したため" in text and "15分間" in text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lock_expires_after_the_cooloff(client, contractor, settings):
    from axes.models import AccessAttempt

    for _ in range(5):
        post_login(client, contractor.email, "wrong")
    assert post_login(client, contractor.email, PASSWORD).status_code == 429
    AccessAttempt.objects.all().delete()  # what the 15-minute cool-off does
    assert post_login(client, contractor.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_password_reset_by_email(client, contractor):
    response = client.post(reverse("accounts:password_reset"), {"email": contractor.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "【足利市 電子契約ポータル】パスワード再設定のご案内"
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    path = urlsplit(link.strip()).path
    form_page = client.get(path, follow=True)
    assert "新しいパスワードの設定" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "Another-pass-2025", "new_password2": "Another-pass-2025"}
    )
    assert done.status_code == 302
    contractor.refresh_from_db()
    assert contractor.check_password("Another-pass-2025")


@pytest.mark.django_db
def test_unknown_email_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.jp"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_logout_is_post_only(client, contractor):
    client.force_login(contractor)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_mail_uses_the_one_subject_prefix(client, contractor, settings):
    from django.core import mail

    settings.MAIL_SUBJECT_PREFIX = "【足利市 契約ポータル（試験）】"
    client.post(reverse("accounts:password_reset"), {"email": contractor.email})
    assert [m.subject for m in mail.outbox] == [
        "【足利市 契約ポータル（試験）】パスワード再設定のご案内"
    ]
