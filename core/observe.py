"""Error reporting to Sentry (sentry-sdk with the Django and Celery integrations), with every event
scrubbed before it leaves the process: 認証キー, passwords, tokens and personal fields (names,
addresses, telephone numbers, mail addresses) are replaced, wherever they appear — request data,
headers, cookies, stack-frame variables, breadcrumbs, log messages."""

from __future__ import annotations

import re
from typing import Any

FILTERED = "[Filtered]"

# Key names (lower-cased, substring match) whose values never leave the process.
SENSITIVE_KEY_PARTS = (
    "auth_key",
    "authkey",
    "認証キー",
    "password",
    "passwd",
    "パスワード",
    "secret",
    "token",
    "api_key",
    "apikey",
    "authorization",
    "cookie",
    "session",
    "csrf",
    "otp",
    "totp",
    "bin_key",
    "email",
    "mail",
    "name",
    "氏名",
    "名前",
    "address",
    "住所",
    "phone",
    "tel",
    "電話",
    "fax",
    "birth",
    "corporate_number",
    "法人番号",
    "representative",
    "代表者",
    "signer",
    "field_encryption",
)
# Keys that contain one of the parts above but are harmless structure of the event itself.
SAFE_KEYS = frozenset(
    {
        "filename",
        "abs_path",
        "module",
        "function",
        "type",
        "logger",
        "server_name",
        "hostname",
        "username_field",
        "event_id",
        "release",
        "environment",
        "transaction",
        "level",
        "platform",
        "sdk",
        "name_for_logging",
    }
)
# Values that look like credentials or personal data, wherever they appear in free text.
_VALUE_PATTERNS = (
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # mail addresses
    re.compile(r"\b\d{2,4}-\d{2,4}-\d{3,4}\b"),  # telephone numbers
    # 認証キー and other long random tokens (letters and digits mixed, 12+ characters)
    re.compile(r"\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{12,}\b"),
    re.compile(r"(認証キー|パスワード|password)\s*[:：=]\s*\S+", re.IGNORECASE),
)


def _sensitive_key(key: Any) -> bool:
    if not isinstance(key, str):
        return False
    lowered = key.lower()
    if lowered in SAFE_KEYS:
        return False
    return any(part in lowered for part in SENSITIVE_KEY_PARTS)


# ``name: value`` / ``'name': 'value'`` / ``name=value`` inside free text (a dict's repr in an
# exception message, a query string): the value goes when the name is sensitive.
_KEY_VALUE = re.compile(
    r"(?P<key>[\w\u3040-\u30ff\u4e00-\u9fff]+)(?P<sep>['\"]?\s*[:：=]\s*)"
    r"(?:(?P<q>['\"])(?P<quoted>.*?)(?P=q)|(?P<bare>[^\s,;&}\]]+))"
)


def _key_value(match: re.Match) -> str:
    if not _sensitive_key(match["key"]):
        return match[0]
    quote = match["q"] or ""
    return f"{match['key']}{match['sep']}{quote}{FILTERED}{quote}"


def scrub_text(text: str) -> str:
    text = _KEY_VALUE.sub(_key_value, text)
    for pattern in _VALUE_PATTERNS:
        text = pattern.sub(FILTERED, text)
    return text


def scrub(value: Any, depth: int = 0) -> Any:
    if depth > 20:
        return FILTERED
    if isinstance(value, dict):
        return {
            key: FILTERED if _sensitive_key(key) else scrub(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        # Header and cookie lists come as [name, value] pairs.
        if len(value) == 2 and _sensitive_key(value[0]):
            return [value[0], FILTERED]
        return [scrub(item, depth + 1) for item in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


# Parts of an event that are structure, not data: kept as they are (their strings are code).
_STRUCTURAL = ("event_id", "timestamp", "platform", "level", "sdk", "release", "environment")


def before_send(event: dict, hint: dict | None = None) -> dict:
    """Scrub the whole event; the user is reduced to its id."""
    user = event.get("user")
    scrubbed = {
        key: (value if key in _STRUCTURAL else scrub(value)) for key, value in event.items()
    }
    if isinstance(user, dict):
        scrubbed["user"] = {"id": user.get("id")} if user.get("id") is not None else {}
    return scrubbed


def before_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    return scrub(crumb)


def init_sentry(dsn: str, *, environment: str, traces: float = 0.0) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        traces_sample_rate=traces,
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        max_request_body_size="small",
    )
