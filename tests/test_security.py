"""Two-factor authentication, security headers, rate limits, /healthz, logging, storage config."""

import json

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from tests.test_project import PRODUCTION_ENV, run_manage


def token_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def login(client, user):
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.django_db
def test_staff_enrol_then_log_in_with_a_token(client, section_staff, settings):
    settings.STAFF_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off after the wrong codes tried here
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    login(client, section_staff)
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 302 and admin["Location"].startswith(reverse("accounts:otp_setup"))
    setup = client.get(admin["Location"])
    page = setup.content.decode()
    assert "<svg" in page and "QRコード" in page and "キー（手入力用）" in page
    device = TOTPDevice.objects.get(user=section_staff, confirmed=False)
    wrong = client.post(reverse("accounts:otp_setup"), {"token": "000000"})
    assert "確認コードが正しくありません" in wrong.content.decode()
    done = client.post(reverse("accounts:otp_setup"), {"token": token_for(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and "二度と表示されません" in done.content.decode()
    assert client.get(reverse("admin:index")).status_code == 200
    # a new session: password, then the token
    client.logout()
    login(client, section_staff)
    blocked = client.get(reverse("admin:index"))
    assert blocked["Location"].startswith(reverse("accounts:otp_verify"))
    assert (
        "確認コードが正しくありません"
        in client.post(reverse("accounts:otp_verify"), {"token": "123456"}).content.decode()
    )
    assert client.get(reverse("admin:index")).status_code == 302
    device.refresh_from_db()
    device.last_t = -1  # the enrolment token may be used again in this test
    device.save()
    ok = client.post(
        reverse("accounts:otp_verify"), {"token": token_for(device), "next": "/admin/"}
    )
    assert ok["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200
    # a recovery code works once
    client.logout()
    login(client, section_staff)
    client.post(reverse("accounts:otp_verify"), {"token": codes[0]})
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    login(client, section_staff)
    again = client.post(reverse("accounts:otp_verify"), {"token": codes[0]})
    assert "確認コードが正しくありません" in again.content.decode()


@pytest.mark.django_db
def test_contractors_may_enable_it(client, contractor, case):
    login(client, contractor)
    assert client.get(reverse("home")).status_code == 200  # not required without a device
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=contractor)
    client.post(reverse("accounts:otp_setup"), {"token": token_for(device)})
    client.logout()
    login(client, contractor)
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:otp_verify"))


@pytest.mark.django_db
def test_security_headers(client, contractor):
    client.force_login(contractor)
    response = client.get(reverse("home"), HTTP_X_REQUEST_ID="abc-123")
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"  # no inline script can run
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"] == "abc-123"
    assert len(client.get(reverse("home"))["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_no_inline_script_in_our_pages(client, contractor, case):
    client.force_login(contractor)
    for url in (reverse("home"), reverse("case_detail", args=[case.pk]), reverse("contract_list")):
        assert "<script" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_rate_limits_answer_429_in_japanese(client, contractor, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (2, 3600)}
    for _ in range(2):
        assert (
            client.post(reverse("accounts:password_reset"), {"email": contractor.email}).status_code
            == 302
        )
    limited = client.post(reverse("accounts:password_reset"), {"email": contractor.email})
    assert limited.status_code == 429 and "アクセスが集中しています" in limited.content.decode()
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_upload_and_webhook_rate_limits(client, contractor, case, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": (1, 600), "webhook": (1, 60)}
    settings.CLOUDSIGN_WEBHOOK_SECRET = "s"
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.pdfs import make_pdf

    client.force_login(contractor)
    url = reverse("applications:new", args=[case.pk, "schedule"])

    def upload():
        return client.post(
            url,
            {
                "action": "save",
                "purpose": "schedule",
                "upload": SimpleUploadedFile("a.pdf", make_pdf()),
            },
        )

    assert upload().status_code == 302
    assert upload().status_code == 429
    hook = "/hooks/cloudsign/s/"
    body = json.dumps({"documentID": "0" * 32, "status": 2})
    assert client.post(hook, body, content_type="application/json").status_code == 200
    assert client.post(hook, body, content_type="application/json").status_code == 429


@pytest.mark.django_db
def test_healthz(client, monkeypatch):
    ok = client.get("/healthz")
    assert ok.status_code == 200
    assert ok.json()["status"] == "ok" and set(ok.json()["checks"]) == {
        "database",
        "broker",
        "storage",
    }
    from core import health

    def broken():
        raise OSError("disk full")

    monkeypatch.setitem(health.CHECKS, "storage", broken)
    failing = client.get("/healthz")
    assert failing.status_code == 503
    assert failing.json()["checks"]["storage"] == {
        "ok": False,
        "error": "OSError",
        "ms": failing.json()["checks"]["storage"]["ms"],
    }


def test_production_logs_are_json_with_request_ids():
    result = run_manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('portal.test').warning('こんにちは')",
        **PRODUCTION_ENV,
    )
    line = next(line for line in result.stderr.splitlines() if "こんにちは" in line)
    record = json.loads(line)
    assert record["message"] == "こんにちは" and record["level"] == "WARNING"
    assert record["logger"] == "portal.test" and record["request_id"] == "-"


def test_s3_media_storage_configuration():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; import json; "
        "print(json.dumps(settings.STORAGES['default']))",
        MEDIA_STORAGE="s3",
        S3_BUCKET="keiyaku-archive",
        S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )
    config = json.loads(result.stdout.strip().splitlines()[-1])
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert config["OPTIONS"]["bucket_name"] == "keiyaku-archive"
    assert config["OPTIONS"]["default_acl"] == "private"
    assert config["OPTIONS"]["file_overwrite"] is False


def test_production_needs_its_own_secret_key_even_with_debug():
    env = {**PRODUCTION_ENV, "DEBUG": "True"}
    del env["SECRET_KEY"]
    result = run_manage("check", **env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_check_deploy_refuses_public_defaults_debug_a_per_process_cache_and_a_short_hook_secret():
    env = {
        **PRODUCTION_ENV,
        "DEBUG": "True",
        "SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production",
        "CACHE_URL": "locmemcache://",
        "CLOUDSIGN_WEBHOOK_SECRET": "hook-2025",
    }
    result = run_manage("check", "--deploy", **env)
    assert result.returncode != 0
    for code in ("core.E010", "core.E011", "core.E012", "core.E013"):
        assert code in result.stderr, result.stderr


@pytest.mark.django_db
def test_logout_ends_the_session_on_every_worker(client, contractor):
    """Another gunicorn worker keeps what its own cache held; the session must still be gone."""
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.core.cache import cache

    login(client, contractor)
    assert client.get(reverse("home")).status_code == 200
    session_key = client.cookies["sessionid"].value
    other_worker = cache.get(KEY_PREFIX + session_key)  # what a second worker had cached
    client.post(reverse("accounts:logout"))
    if other_worker is not None:
        cache.set(KEY_PREFIX + session_key, other_worker)
    client.cookies["sessionid"] = session_key  # the stolen or stale cookie
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_an_idle_session_is_signed_out(client, contractor, settings):
    import time

    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    login(client, contractor)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["_last_seen"] = int(time.time()) - 31 * 60
    session.save()
    response = client.get(reverse("contract_list"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fcontracts%2F" or response[
        "Location"
    ].startswith("/accounts/login/?next=")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "一定時間操作がなかったため、ログアウトしました。" in page
    # within the timeout nothing happens
    login(client, contractor)
    session = client.session
    session["_last_seen"] = int(time.time()) - 29 * 60
    session.save()
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_private_pages_files_and_pdfs_are_not_stored(client, contractor, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications.models import Attachment
    from tests.pdfs import make_pdf

    client.force_login(contractor)
    assert "no-store" in client.get(reverse("home"))["Cache-Control"]
    client.post(
        reverse("applications:new", args=[case.pk, "schedule"]),
        {
            "action": "save",
            "purpose": "schedule",
            "upload": SimpleUploadedFile("a.pdf", make_pdf()),
        },
    )
    attachment = Attachment.objects.get()
    download = client.get(
        reverse("applications:attachment", args=[attachment.application_id, attachment.pk])
    )
    assert download.status_code == 200
    assert "no-store" in download["Cache-Control"] and "private" in download["Cache-Control"]
    pdf = client.get(reverse("applications:pdf", args=[attachment.application_id]))
    assert pdf["Content-Type"] == "application/pdf" and "no-store" in pdf["Cache-Control"]
