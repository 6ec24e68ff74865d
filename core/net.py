"""The client's address behind reverse proxies.

``REMOTE_ADDR`` is the last hop, which behind nginx is nginx itself. ``X-Forwarded-For`` is read
only as far as the deployment says it can be trusted, from the right (the entries a client sends
itself are on the left and are never believed):

- ``TRUSTED_PROXIES`` (addresses or networks of our own proxies): walk from ``REMOTE_ADDR``
  leftwards through ``X-Forwarded-For`` while the address is one of ours; the first other address
  is the client.
- otherwise ``TRUSTED_PROXY_HOPS`` = n: the client is the address n hops left of
  ``REMOTE_ADDR`` (nginx in front of gunicorn: 1). A request with fewer hops than configured did
  not come through the proxies: its address is unknown (``None``).
- neither: ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(value: str | None) -> Address | None:
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def in_networks(ip: Address | None, entries) -> bool:
    return ip is not None and any(ip in n for n in _networks(tuple(entries)))


def _forwarded_chain(request: HttpRequest) -> list[str]:
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [part.strip() for part in header.split(",") if part.strip()]


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as far as the trusted proxies vouch for it; ``None`` if unknown."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXIES
    hops = settings.TRUSTED_PROXY_HOPS
    chain = [*_forwarded_chain(request), remote or ""]
    if proxies:
        for candidate in reversed(chain):
            ip = parse_ip(candidate)
            if ip is None:
                return None  # garbage where an address should be: trust nothing further
            if not in_networks(ip, proxies):
                return str(ip)
        return str(parse_ip(chain[0])) if parse_ip(chain[0]) else None
    if hops > 0:
        if len(chain) <= hops:
            return None
        ip = parse_ip(chain[-1 - hops])
        return str(ip) if ip else None
    ip = parse_ip(remote)
    return str(ip) if ip else None


def axes_client_ip(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the same address (None when it cannot be established; axes stores
    it in an address column)."""
    return client_ip(request)
