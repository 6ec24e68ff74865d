from django.conf import settings

from esign.client import CloudSignClient

_client: CloudSignClient | None = None


def _shared_rate_limit() -> None:
    from core.ratelimit import acquire

    acquire("cloudsign", settings.CLOUDSIGN_RATE_LIMIT)


def build_client() -> CloudSignClient:
    """A client configured from settings (CLOUDSIGN_API_BASE, CLOUDSIGN_CLIENT_ID, timeouts),
    sharing one rate limit with every other worker (CLOUDSIGN_RATE_LIMIT requests a minute)."""
    return CloudSignClient(
        settings.CLOUDSIGN_API_BASE,
        settings.CLOUDSIGN_CLIENT_ID,
        connect_timeout=settings.CLOUDSIGN_CONNECT_TIMEOUT,
        read_timeout=settings.CLOUDSIGN_READ_TIMEOUT,
        before_request=_shared_rate_limit,
    )


def get_client() -> CloudSignClient:
    """One client per process: its session keeps connections alive and its token cached."""
    global _client
    if _client is None or _client.base_url != settings.CLOUDSIGN_API_BASE.rstrip("/"):
        _client = build_client()
    return _client
