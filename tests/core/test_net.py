"""The client address through the trusted proxies (rate limits, login throttle, audit)."""

import pytest
from django.test import RequestFactory

from core import audit
from core.net import client_ip

rf = RequestFactory()


def req(remote="127.0.0.1", xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return rf.get("/", **extra)


def test_no_proxy_configured_ignores_the_header(settings):
    settings.TRUSTED_PROXY_HOPS, settings.TRUSTED_PROXIES = 0, []
    assert client_ip(req("203.0.113.9", "10.0.0.1")) == "203.0.113.9"


def test_one_hop_takes_the_address_nginx_appended(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_ip(req(xff="203.0.113.9")) == "203.0.113.9"
    # a forged first entry is ignored: nginx appends the address it saw
    assert client_ip(req(xff="10.0.0.1, 203.0.113.9")) == "203.0.113.9"
    # nothing forwarded: the proxy's own address
    assert client_ip(req()) == "127.0.0.1"
    assert client_ip(req(xff="not-an-ip")) == "127.0.0.1"


def test_trusted_proxy_networks(settings):
    settings.TRUSTED_PROXY_HOPS, settings.TRUSTED_PROXIES = 0, ["127.0.0.1", "10.1.0.0/16"]
    assert client_ip(req("10.1.2.3", "198.51.100.1, 203.0.113.9, 10.1.9.9")) == "203.0.113.9"
    # a request that did not come through our proxies: its header is not believed
    assert client_ip(req("192.0.2.77", "203.0.113.9")) == "192.0.2.77"


@pytest.mark.django_db
def test_audit_records_the_client_behind_the_proxy(settings, contractor):
    settings.TRUSTED_PROXY_HOPS = 1
    request = req(xff="203.0.113.9")
    request.user = contractor
    event = audit.record("test.event", actor=contractor, request=request)
    assert event.ip_address == "203.0.113.9"


def test_axes_gets_none_rather_than_unknown():
    from django.http import HttpRequest

    from core.net import axes_client_ip

    assert axes_client_ip(HttpRequest()) is None  # force_login's bare request: no address column
    assert axes_client_ip(req("203.0.113.9")) == "203.0.113.9"
