"""Settings, Celery configuration and demo data."""

import atexit
import inspect
import os
import re
import shutil
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from ashikaga_portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    clean_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


_DEPLOY_CHECK_DIR = tempfile.mkdtemp(prefix="deploy-check-")
atexit.register(shutil.rmtree, _DEPLOY_CHECK_DIR, ignore_errors=True)

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x7Kq2-production-like-secret-key-with-enough-entropy-Zp9LmW4vR8tY3",
    "ALLOWED_HOSTS": "keiyaku.city.ashikaga.example",
    # A folder of this run's own: two runs on one machine never share the file.
    "DATABASE_URL": f"sqlite:///{_DEPLOY_CHECK_DIR}/db.sqlite3",
    "ESIGN_SANDBOX_ENABLED": "False",
    "CACHE_URL": "rediscache://127.0.0.1:6379/1",  # as in docs/deploy.md: shared by every worker
    # the CAs that sign and timestamp the contracts, and the city's archive TSA
    "ESIGN_TRUST_ROOTS": str(Path(__file__).parent / "data" / "trust-roots-example.pem"),
    "ESIGN_ARCHIVE_TSA_URL": "https://tsa.city.ashikaga.example/rfc3161",
    "FIELD_ENCRYPTION_KEYS": "0rO8lOxoiAkq3tkPxZ0XPQJYzUe1tBPWXnTfPkKyqXA=",
    "FIELD_HASH_KEY": "p3Vb-production-like-hash-key-7Qm2xLr9Tz",
}


# One message of Django's check report: "?: (security.W004) …", "core.User: (fields.E304) …".
CHECK_MESSAGE = re.compile(r"\(\w+(?:\.\w+)*\.[EWCI]\d{3}\)")


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    # Django's own report is judged, not whatever a library prints: a deprecation warning on
    # stderr (cryptography's, when pyHanko imports) is not a finding of the deployment check.
    assert not CHECK_MESSAGE.findall(result.stdout + result.stderr), result.stderr


def test_production_refuses_to_start_without_secret_key():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_refuses_to_start_without_trust_roots():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "ESIGN_TRUST_ROOTS"}
    result = run_manage("check", "--deploy", **env)
    assert result.returncode != 0
    assert "contracts.E001" in result.stderr and "ESIGN_TRUST_ROOTS" in result.stderr
    # a path that holds no certificate is no better
    missing = {**PRODUCTION_ENV, "ESIGN_TRUST_ROOTS": "/nonexistent/roots.pem"}
    result = run_manage("check", **missing)
    assert result.returncode != 0 and "contracts.E001" in result.stderr


def test_production_refuses_to_start_without_the_field_encryption_keys():
    env = {k: v for k, v in PRODUCTION_ENV.items() if not k.startswith("FIELD_")}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "core.E030" in result.stderr


def test_production_refuses_the_sandbox():
    result = run_manage("check", **{**PRODUCTION_ENV, "ESIGN_SANDBOX_ENABLED": "True"})
    assert result.returncode != 0
    assert "esign_sandbox.E001" in result.stderr


def test_japanese_and_tokyo():
    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
    from ashikaga_portal import settings as portal_settings

    assert portal_settings.MEDIA_URL is None  # private files are never served by URL


def test_celery_is_safe_by_default():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json"
    assert conf.task_soft_time_limit < conf.task_time_limit


@pytest.mark.parametrize("name", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_every_beat_entry_names_a_task_that_accepts_its_arguments(name):
    entry = settings.CELERY_BEAT_SCHEDULE[name]
    celery_app.loader.import_default_modules()
    task = celery_app.tasks[entry["task"]]
    inspect.signature(task.run).bind(*entry.get("args", ()), **entry.get("kwargs", {}))


@pytest.mark.django_db
def test_seed_demo_is_idempotent(capsys):
    from accounts.models import Company, Department, User
    from cases.models import Case

    call_command("seed_demo")
    counts = [m.objects.count() for m in (Company, Department, User, Case)]
    call_command("seed_demo")
    assert [m.objects.count() for m in (Company, Department, User, Case)] == counts
    assert counts == [2, 4, 5, 5]
    out = capsys.readouterr().out
    assert "user@ashikaga-test.example" in out and "パスワード" in out
    from applications.models import Application
    from contracts.models import Contract
    from contracts.selectors import gate_problems

    contract = Contract.objects.get()
    assert gate_problems(contract) == []  # ready to send
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "returned", "accepted", "withdrawn"}
    categories = sorted(Case.objects.values_list("category", flat=True))
    assert categories == sorted(
        ["construction", "construction", "construction_service", "goods", "service"]
    )


@pytest.mark.django_db
def test_seed_demo_puts_back_the_demo_password_of_every_login():
    from accounts.models import User
    from portal.management.commands.seed_demo import DEMO_PASSWORD

    call_command("seed_demo", stdout=StringIO())
    users = list(User.objects.order_by("email"))
    assert len(users) == 5 and all(u.check_password(DEMO_PASSWORD) for u in users)
    # one login's password changed, another's made unusable: the next seed puts both back
    users[1].set_password("changed-by-hand")
    users[1].save()
    users[3].set_unusable_password()
    users[3].save()
    call_command("seed_demo", stdout=StringIO())
    assert all(u.check_password(DEMO_PASSWORD) for u in User.objects.all())


def test_default_mail_goes_to_var_mail(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)",
        VAR_DIR=str(tmp_path),
    )
    assert result.stdout.split()[-2:] == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(tmp_path / "mail"),
    ]


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_demo_staff_two_factor_code(capsys, settings):
    import re

    from django_otp.plugins.otp_totp.models import TOTPDevice

    call_command("seed_demo")
    capsys.readouterr()
    settings.DEBUG = True
    call_command("demo_otp", "keiyaku@city.ashikaga.example")
    code = re.search(r"確認コード: (\d{6})", capsys.readouterr().out).group(1)
    device = TOTPDevice.objects.get(user__email="keiyaku@city.ashikaga.example")
    assert device.verify_token(code)
    settings.DEBUG = False
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("demo_otp")


@pytest.mark.django_db
def test_demo_commands_refuse_production_settings(settings):
    from django.core.management import CommandError

    from accounts.models import User

    settings.DJANGO_ENV = "production"
    settings.DEBUG = True  # even a misconfigured production with DEBUG on
    with pytest.raises(CommandError, match="本番環境"):
        call_command("seed_demo")
    assert not User.objects.exists()
    with pytest.raises(CommandError, match="本番環境"):
        call_command("demo_otp")


@pytest.mark.django_db
def test_check_deploy_errors_when_demo_users_exist_in_production(settings):
    from portal.checks import check_no_demo_users

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert check_no_demo_users() == []  # development: the demo users belong there
    settings.DJANGO_ENV = "production"
    errors = check_no_demo_users()
    assert [e.id for e in errors] == ["portal.E001"]
    assert "keiyaku@city.ashikaga.example" in errors[0].msg
    from accounts.models import User

    User.objects.filter(email__endswith=".example").delete()
    assert check_no_demo_users() == []
