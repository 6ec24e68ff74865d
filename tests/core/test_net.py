"""core.net.client_ip: the client's address behind trusted proxies, never a client's own claim."""

import pytest
from django.test import RequestFactory

from core.net import client_ip

rf = RequestFactory()


def req(remote="127.0.0.1", xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return rf.post("/hooks/", **extra)


@pytest.fixture
def no_proxy(settings):
    settings.TRUSTED_PROXIES = []
    settings.TRUSTED_PROXY_HOPS = 0
    return settings


def test_without_proxy_settings_the_header_is_ignored(no_proxy):
    assert client_ip(req("203.0.113.9", xff="52.68.17.229")) == "203.0.113.9"


def test_one_hop_nginx_overwriting_the_header(no_proxy):
    no_proxy.TRUSTED_PROXY_HOPS = 1
    assert client_ip(req("127.0.0.1", xff="52.68.17.229")) == "52.68.17.229"
    # nginx appending ($proxy_add_x_forwarded_for): a forged left part is not believed
    assert client_ip(req("127.0.0.1", xff="52.68.17.229, 198.51.100.7")) == "198.51.100.7"
    # straight to gunicorn, bypassing nginx: unknown
    assert client_ip(req("198.51.100.7")) is None


def test_two_hops_load_balancer_then_nginx(no_proxy):
    no_proxy.TRUSTED_PROXY_HOPS = 2
    assert client_ip(req("127.0.0.1", xff="52.68.17.229, 10.0.0.5")) == "52.68.17.229"
    assert client_ip(req("127.0.0.1", xff="10.0.0.5")) is None


def test_trusted_proxy_addresses(no_proxy):
    no_proxy.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(req("127.0.0.1", xff="52.68.17.229, 10.0.0.5")) == "52.68.17.229"
    assert client_ip(req("127.0.0.1", xff="6.6.6.6, 52.68.17.229")) == "52.68.17.229"
    # not from one of our proxies: its own address, whatever it claims
    assert client_ip(req("198.51.100.7", xff="52.68.17.229")) == "198.51.100.7"
    assert client_ip(req("127.0.0.1", xff="not-an-ip")) is None
    assert client_ip(req("::1", xff="2001:db8::1")) == "::1"  # ::1 is not listed


# --- rate limits, login throttle and audit (issue 17) ---

from django.test import RequestFactory  # noqa: E402

from core import audit  # noqa: E402

rf = RequestFactory()


def req17(remote="127.0.0.1", xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return rf.get("/", **extra)


def test_no_proxy_configured_ignores_the_forwarded_header(settings):
    settings.TRUSTED_PROXY_HOPS, settings.TRUSTED_PROXIES = 0, []
    assert client_ip(req17("203.0.113.9", "10.0.0.1")) == "203.0.113.9"


def test_one_hop_takes_the_address_nginx_appended(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_ip(req17(xff="203.0.113.9")) == "203.0.113.9"
    # a forged first entry is ignored: nginx appends the address it saw
    assert client_ip(req17(xff="10.0.0.1, 203.0.113.9")) == "203.0.113.9"
    # nothing forwarded, or garbage: the request did not come through the proxy (unknown)
    assert client_ip(req17()) is None
    assert client_ip(req17(xff="not-an-ip")) is None


def test_trusted_proxy_networks(settings):
    settings.TRUSTED_PROXY_HOPS, settings.TRUSTED_PROXIES = 0, ["127.0.0.1", "10.1.0.0/16"]
    assert client_ip(req17("10.1.2.3", "198.51.100.1, 203.0.113.9, 10.1.9.9")) == "203.0.113.9"
    # a request that did not come through our proxies: its header is not believed
    assert client_ip(req17("192.0.2.77", "203.0.113.9")) == "192.0.2.77"


@pytest.mark.django_db
def test_audit_records_the_client_behind_the_proxy(settings, contractor):
    settings.TRUSTED_PROXY_HOPS = 1
    request = req17(xff="203.0.113.9")
    request.user = contractor
    event = audit.record("test.event", actor=contractor, request=request)
    assert event.ip_address == "203.0.113.9"


def test_axes_gets_none_rather_than_unknown():
    from django.http import HttpRequest

    from core.net import axes_client_ip

    assert axes_client_ip(HttpRequest()) is None  # force_login's bare request: no address column
    assert axes_client_ip(req17("203.0.113.9")) == "203.0.113.9"
