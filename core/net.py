"""The client's address, as seen through the reverse proxies we trust.

Behind nginx every request comes from 127.0.0.1; the real client is in ``X-Forwarded-For``, which a
client can also forge. ``TRUSTED_PROXY_HOPS`` says how many proxies (each appending the address it
saw) stand in front of the portal; ``TRUSTED_PROXIES`` lists their addresses or networks instead.
The client address is the first one, from the right, that is not one of our proxies. With neither
set (the default) ``X-Forwarded-For`` is ignored and ``REMOTE_ADDR`` is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


@lru_cache(maxsize=16)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _is_trusted(address: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(proxies))


def client_ip(request) -> str:
    """The address of the client that sent ``request`` (``"unknown"`` when there is none)."""
    remote = _valid(request.META.get("REMOTE_ADDR") or "") or "unknown"
    hops = int(getattr(settings, "TRUSTED_PROXY_HOPS", 0) or 0)
    proxies = tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ())
    if hops <= 0 and not proxies:
        return remote
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    chain = [*forwarded, remote]
    if proxies:
        if not _is_trusted(remote, proxies):
            return remote  # not through our proxy: the header is the client's own words
        while len(chain) > 1 and _is_trusted(chain[-1], proxies):
            chain.pop()
        return _valid(chain[-1]) or remote
    index = len(chain) - 1 - hops
    if index < 0:
        return remote  # fewer hops than configured: the proxy did not set the header
    return _valid(chain[index]) or remote


def axes_client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the same address, None when there is none (axes stores it in an
    address column, which refuses "unknown")."""
    address = client_ip(request)
    return None if address == "unknown" else address
