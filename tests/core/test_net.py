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
