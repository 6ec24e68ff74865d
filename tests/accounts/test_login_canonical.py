"""One canonical login name on every login path; one lockout per account whatever the spelling;
a throttle per client address over all accounts; the 2FA-step limit cannot lock staff out."""

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.usernames import canonical_username
from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.test_security import token_for

LOGIN = "/accounts/login/"


def post_login(client, email, password, addr="198.51.100.7", **extra):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=addr, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize(
    "typed",
    [
        "DOBOKU@city.example",
        "Doboku@City.Example",
        " ｄｏｂｏｋｕ＠ｃｉｔｙ．ｅｘａｍｐｌｅ ",
        "doboku@CITY.EXAMPLE.",
    ],
)
def test_canonical_username(typed):
    assert canonical_username(typed) == "doboku@city.example"


def test_dotless_i_and_idna():
    assert canonical_username("keıyaku@city.example") == "keiyaku@city.example"
    assert canonical_username("KEİYAKU@city.example") == "keiyaku@city.example"
    assert canonical_username("Info@足利.JP") == "info@xn--kcr746l.jp"


@pytest.mark.django_db
def test_case_variants_share_one_lockout_on_every_login_path(client, department_staff):
    for typed in ("DOBOKU@city.example", "Doboku@city.example", "doboku@CITY.example"):
        assert post_login(client, typed, "wrong").status_code == 200
    assert post_login(client, "ＤＯＢＯＫＵ@city.example", "wrong").status_code == 200
    assert post_login(client, "doboku@city.example", "wrong").status_code == 429
    # locked: the right password with another spelling does not log in either
    for typed in ("DOBOKU@city.example", "Doboku@city.example", "doboku@city.example"):
        assert post_login(client, typed, PASSWORD, addr="203.0.113.50").status_code == 429
        assert not logged_in(client)
    # nor through the admin's login URL: it is the portal's page, no second form
    admin_post = client.post(
        "/admin/login/?next=/admin/", {"username": "DOBOKU@city.example", "password": PASSWORD}
    )
    assert admin_post.status_code == 302
    assert admin_post["Location"] == f"{LOGIN}?next=%2Fadmin%2F"
    assert not logged_in(client)


@pytest.mark.django_db
def test_dotless_i_variants_share_one_lockout(client, section_staff):
    assert section_staff.email == "keiyaku@city.example"
    for typed in ("keiyaku@city.example", "keıyaku@city.example", "KEİYAKU@city.example"):
        assert post_login(client, typed, "wrong").status_code == 200
    assert post_login(client, "keıyaku@city.example", "wrong").status_code == 200
    assert post_login(client, "Keıyaku@city.example", "wrong").status_code == 429
    assert post_login(client, "keıyaku@city.example", PASSWORD).status_code == 429
    assert post_login(client, "keiyaku@city.example", PASSWORD).status_code == 429
    assert not logged_in(client)


@pytest.mark.django_db
def test_a_variant_logs_in_when_not_locked(client, section_staff):
    response = post_login(client, "KEİYAKU@City.Example", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


@pytest.mark.django_db
def test_many_wrong_logins_across_accounts_from_one_address_are_blocked(client, company):
    users = [UserFactory(company=company, email=f"user{i}@ashikaga-test.example") for i in range(8)]
    answers = [
        post_login(client, users[i % 7].email, f"guess-{i}", addr="203.0.113.9").status_code
        for i in range(28)
    ]
    assert answers[:20] == [200] * 20  # 20 failures in 15 minutes per address …
    assert set(answers[20:]) == {429}  # … then every login from it is refused
    blocked = post_login(client, users[7].email, PASSWORD, addr="203.0.113.9")
    assert blocked.status_code == 429 and "アクセスが集中しています" in blocked.content.decode()
    assert not logged_in(client)
    # another address is not affected
    assert post_login(client, users[7].email, PASSWORD, addr="192.0.2.1").status_code == 302


@pytest.mark.django_db
def test_the_address_is_the_client_behind_the_trusted_proxy(client, company, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_address": (3, 900)}
    user = UserFactory(company=company, email="a@ashikaga-test.example")
    # every request comes from nginx (127.0.0.1); the attacker forges a first X-Forwarded-For entry
    for i in range(3):
        post_login(
            client,
            user.email,
            "x",
            addr="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}, 203.0.113.9",
        )
    assert (
        post_login(
            client, user.email, "x", addr="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9"
        ).status_code
        == 429
    )
    # the other clients behind the same proxy still log in
    ok = post_login(
        client, user.email, PASSWORD, addr="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.8"
    )
    assert ok.status_code == 302


@pytest.mark.django_db
def test_password_reset_finds_the_account_by_any_spelling(client, section_staff):
    response = client.post(reverse("accounts:password_reset"), {"email": "KEıYAKU@City.Example"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["keiyaku@city.example"]]


@pytest.mark.django_db
def test_the_admin_login_url_is_the_portal_login(client):
    response = client.get("/admin/login/?next=/admin/contracts/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Fadmin%2Fcontracts%2F"
    # the admin's own redirect for anonymous users lands on the same page
    page = client.get("/admin/", follow=True)
    assert page.redirect_chain[-1][0].startswith(LOGIN)


@pytest.mark.django_db
def test_the_2fa_step_limit_cannot_lock_staff_out(groups, settings):
    from django.test import Client

    settings.STAFF_REQUIRE_2FA = True
    staff = StaffFactory(email="somu@city.example")
    device = TOTPDevice.objects.create(user=staff, name="認証アプリ", confirmed=True)
    attacker, owner = Client(), Client()
    for c, addr in ((attacker, "203.0.113.66"), (owner, "192.0.2.10")):
        assert post_login(c, staff.email, PASSWORD, addr=addr).status_code == 302
    verify = reverse("accounts:otp_verify")
    codes = [
        attacker.post(verify, {"token": "000000"}, REMOTE_ADDR="203.0.113.66").status_code
        for _ in range(12)
    ]
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]
    ok = owner.post(
        verify, {"token": token_for(device), "next": "/admin/"}, REMOTE_ADDR="192.0.2.10"
    )
    assert ok.status_code == 302 and ok["Location"] == "/admin/"
    assert owner.get("/admin/", REMOTE_ADDR="192.0.2.10").status_code == 200
