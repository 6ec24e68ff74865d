"""What must never reach Sentry (tests/deploy/test_sentry.py)."""

AUTH_KEY = "K7Q2ZX9M4T8W"  # a 認証キー as printed on the お知らせ
PASSWORD = "Hunter2-secret-pass"  # noqa: S105
TOKEN = "tok_live_5f0d9a7c1b2e4f6a"  # noqa: S105
SESSION = "sess9f8e7d6c5b4a39281"
NAME = "足利 太郎"
EMAIL = "taro.ashikaga@example.jp"
ADDRESS = "栃木県足利市本城3丁目2145"
PHONE = "0284-20-2222"
ALL = [AUTH_KEY, PASSWORD, TOKEN, SESSION, NAME, EMAIL, ADDRESS, PHONE]
