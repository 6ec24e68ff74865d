"""Credentials encrypted at rest (the 認証キー, the 損保 閲覧用パスワード).

The keys come from the environment: ``FIELD_ENCRYPTION_KEYS`` (Fernet keys, comma-separated,
the newest first: it encrypts; every key decrypts, so a new key is added in front and the old
ones stay until ``manage.py reencrypt_secrets`` has re-encrypted every row) and
``FIELD_HASH_KEY`` (the HMAC key of the search digests; stable across encryption-key
rotations). Development with DEBUG derives both from SECRET_KEY; production must set them
(system check core.E030).

A value in the database reads ``fernet:<token>``; a value without the prefix is a clear value
written before encryption existed (read as is, encrypted on the next save or by the data
migration)."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from core.crypto_keys import derived_key

PREFIX = "fernet:"

#: the keys of a JSON document (application data, what a notice read) that hold credentials
SECRET_DATA_KEYS = ("auth_key", "auth_key_confirm", "view_password")


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS が設定されていません。")
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    if not value:
        return value
    return PREFIX + fernet().encrypt(value.encode()).decode()


class DecryptionError(Exception):
    """A stored value no configured key opens (a key removed before re-encryption)."""


def is_encrypted(stored: str | None) -> bool:
    return isinstance(stored, str) and stored.startswith(PREFIX)


def decrypt(stored: str | None) -> str | None:
    if not is_encrypted(stored):
        return stored  # empty, or clear text from before encryption
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "暗号化された値を復号できません（FIELD_ENCRYPTION_KEYS に古い鍵がありません）。"
        ) from None


def digest(value: str) -> str:
    """The keyed hash a search compares (never the clear value): HMAC-SHA256, hex."""
    if not value:
        return ""
    key = settings.FIELD_HASH_KEY
    if not key:
        raise ImproperlyConfigured("FIELD_HASH_KEY が設定されていません。")
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column holding ``fernet:<token>``; Python sees the clear value. Lookups other than
    emptiness mean nothing on it (each encryption differs): search on a digest column."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or is_encrypted(value):
            return value
        return encrypt(value)


def _walk(value, secret_keys: frozenset[str], func):
    if isinstance(value, dict):
        return {
            k: (func(v) if k in secret_keys and isinstance(v, str) else _walk(v, secret_keys, func))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_walk(v, secret_keys, func) for v in value]
    return value


class SecretKeysJSONField(models.JSONField):
    """A JSON document whose values under ``secret_keys`` (at any depth: ``data["auth_key"]``,
    ``data["_read"]["auth_key"]``) are stored encrypted; the rest stays plain JSON."""

    def __init__(self, *args, secret_keys=(), **kwargs):
        self.secret_keys = frozenset(secret_keys)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["secret_keys"] = sorted(self.secret_keys)
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return _walk(value, self.secret_keys, decrypt)

    def get_prep_value(self, value):
        if isinstance(value, (dict, list)):
            value = _walk(value, self.secret_keys, lambda v: v if is_encrypted(v) else encrypt(v))
        return super().get_prep_value(value)


def encrypted_fields() -> list[tuple[type[models.Model], models.Field]]:
    """Every (model, field) holding encrypted values, for re-encryption."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, (EncryptedTextField, SecretKeysJSONField))
    ]


@checks.register(checks.Tags.security)
def check_encryption_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production needs its own keys from the environment (never the ones derived from
    SECRET_KEY for development); every key must be a valid Fernet key."""
    errors: list[checks.CheckMessage] = []
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []))
    hash_key = getattr(settings, "FIELD_HASH_KEY", "")
    if not keys or not hash_key:
        errors.append(
            checks.Error(
                "FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY must be set in production.",
                hint="FIELD_ENCRYPTION_KEYS=$(python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())'), FIELD_HASH_KEY=a long random "
                "string.",
                id="core.E030",
            )
        )
    for key in keys:
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            errors.append(
                checks.Error("A FIELD_ENCRYPTION_KEYS entry is not a Fernet key.", id="core.E031")
            )
    if getattr(settings, "DJANGO_ENV", "development") == "production":
        secret = getattr(settings, "SECRET_KEY", "")
        if derived_key(secret, "field-encryption") in keys or hash_key == derived_key(
            secret, "field-hash"
        ):
            errors.append(
                checks.Error(
                    "The field encryption keys are the development ones derived from SECRET_KEY.",
                    hint="Set FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY in the environment.",
                    id="core.E032",
                )
            )
    return errors
