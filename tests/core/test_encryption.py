"""The 認証キー and 閲覧用パスワード are encrypted at rest: the raw columns (and the JSON that
carries a key) hold no clear text; a key is found by its keyed hash; keys rotate."""

import importlib
import json

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from applications.models import Application, ApplicationRevision
from core.crypto import DecryptionError, check_encryption_keys, digest
from core.crypto_keys import derived_key
from surety.models import SuretyCertificate
from tests.factories import ApplicationFactory, SuretyCertificateFactory

KEY = "Q7mD2xKp9LwA"
PASSWORD = "Mx9-kR2v-Tq"


def raw(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return repr(cursor.fetchall())


@pytest.fixture
def stored(db, case, contractor):
    certificate = SuretyCertificateFactory(
        case=case, electronic=True, auth_key=KEY, read_values={"auth_key": KEY, "issuer": "東日本"}
    )
    bond = SuretyCertificateFactory(
        case=case, form="url", view_url="https://example.jp/v", view_password=PASSWORD
    )
    application = ApplicationFactory(
        case=case,
        company=contractor.company,
        kind="schedule",
        data={"auth_key": KEY, "_read": {"auth_key": KEY}, "note": "工程表"},
    )
    ApplicationRevision.objects.create(
        application=application,
        number=1,
        data=application.data,
        submitted_at=application.created_at,
    )
    return certificate, bond, application


def all_raw() -> str:
    return (
        raw(
            "SELECT auth_key, view_password, read_values, auth_key_digest"
            " FROM surety_suretycertificate"
        )
        + raw("SELECT data FROM applications_application")
        + raw("SELECT data FROM applications_applicationrevision")
    )


@pytest.mark.django_db
def test_the_raw_columns_hold_no_clear_credential(stored):
    certificate, bond, application = stored
    text = all_raw()
    assert KEY not in text and PASSWORD not in text
    assert "fernet:" in text and "note" in text  # the rest of the document stays plain JSON
    certificate.refresh_from_db()
    bond.refresh_from_db()
    application.refresh_from_db()
    assert certificate.auth_key == KEY and certificate.read_values["auth_key"] == KEY
    assert bond.view_password == PASSWORD
    assert application.data["auth_key"] == KEY and application.data["_read"]["auth_key"] == KEY


@pytest.mark.django_db
def test_a_key_is_found_by_its_keyed_hash(stored, settings):
    certificate = stored[0]
    assert list(SuretyCertificate.objects.with_auth_key(KEY)) == [certificate]
    assert not SuretyCertificate.objects.with_auth_key("Q7mD2xKp9LwB").exists()
    assert not SuretyCertificate.objects.with_auth_key("").exists()
    stored_digest = SuretyCertificate.objects.values_list("auth_key_digest", flat=True).get(
        pk=certificate.pk
    )
    assert stored_digest == digest(KEY) and KEY not in stored_digest
    settings.FIELD_HASH_KEY = "another-hash-key"  # keyed: without the key, no dictionary attack
    assert digest(KEY) != stored_digest


@pytest.mark.django_db
def test_rotation_reencrypts_every_row_with_the_newest_key(stored, settings):
    old = list(settings.FIELD_ENCRYPTION_KEYS)
    before = all_raw()
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, *old]
    assert SuretyCertificate.objects.get(pk=stored[0].pk).auth_key == KEY  # old rows still open
    call_command("reencrypt_secrets", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = all_raw()
    assert after != before and KEY not in after and PASSWORD not in after
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key removed
    assert SuretyCertificate.objects.get(pk=stored[0].pk).auth_key == KEY
    assert SuretyCertificate.objects.get(pk=stored[1].pk).view_password == PASSWORD
    assert Application.objects.get(pk=stored[2].pk).data["_read"]["auth_key"] == KEY
    assert ApplicationRevision.objects.get().data["auth_key"] == KEY
    assert list(SuretyCertificate.objects.with_auth_key(KEY)) == [stored[0]]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # a key that never was
    with pytest.raises(DecryptionError):
        SuretyCertificate.objects.get(pk=stored[0].pk).auth_key  # noqa: B018


@pytest.mark.django_db
def test_the_data_migration_encrypts_rows_written_in_clear(stored):
    certificate, bond, application = stored
    with connection.cursor() as cursor:  # as the rows were before encryption existed
        cursor.execute(
            "UPDATE surety_suretycertificate SET auth_key = %s, auth_key_digest = '',"
            " read_values = %s WHERE id = %s",
            [KEY, json.dumps({"auth_key": KEY}), certificate.pk],
        )
        cursor.execute(
            "UPDATE surety_suretycertificate SET view_password = %s WHERE id = %s",
            [PASSWORD, bond.pk],
        )
        cursor.execute(
            "UPDATE applications_application SET data = %s WHERE id = %s",
            [json.dumps({"auth_key": KEY}), application.pk],
        )
    assert KEY in all_raw()
    for module in (
        "surety.migrations.0005_encrypted_credentials",
        "applications.migrations.0007_encrypted_credentials",
    ):
        importlib.import_module(module).encrypt_existing(apps, None)
    assert KEY not in all_raw() and PASSWORD not in all_raw()
    assert list(SuretyCertificate.objects.with_auth_key(KEY)) == [certificate]
    assert Application.objects.get(pk=application.pk).data["auth_key"] == KEY


def test_production_requires_its_own_keys(settings):
    settings.DJANGO_ENV = "production"
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.FIELD_HASH_KEY = ""
    assert {e.id for e in check_encryption_keys()} == {"core.E030"}
    settings.FIELD_ENCRYPTION_KEYS = [derived_key(settings.SECRET_KEY, "field-encryption")]
    settings.FIELD_HASH_KEY = derived_key(settings.SECRET_KEY, "field-hash")
    assert {e.id for e in check_encryption_keys()} == {"core.E032"}
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    assert "core.E031" in {e.id for e in check_encryption_keys()}
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.FIELD_HASH_KEY = "a-long-random-production-hash-key"
    assert check_encryption_keys() == []


def test_development_keys_exist_only_with_debug(monkeypatch):
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(len(s.FIELD_ENCRYPTION_KEYS), bool(s.FIELD_HASH_KEY))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "ashikaga_portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["0", "False"]
    env["DEBUG"] = "true"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["1", "True"]
