"""/favicon.ico answers with the icon (no redirect to 「/favicon.ico/」 and its 404 warning), and
every page links the icon, the portal's and the admin's."""

import logging
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

ICO_HEADER = b"\x00\x00\x01\x00"  # an icon resource


@pytest.mark.django_db
def test_favicon_ico_is_the_icon_without_a_warning(client, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content.startswith(ICO_HEADER)
    assert "max-age=86400" in response["Cache-Control"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.django_db
def test_favicon_needs_no_second_factor(client, section_staff, settings):
    """Staff between the password and the token get the icon, not a redirect to the token page."""
    settings.STAFF_REQUIRE_2FA = True
    client.force_login(section_staff)
    assert client.get(reverse("admin:index")).status_code == 302  # the token page first
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.content.startswith(ICO_HEADER)


@pytest.mark.django_db
def test_pages_link_the_icon(staff_client):
    anonymous = Client()
    svg = finders.find("favicon.svg")
    assert svg and Path(svg).read_bytes().startswith(b"<svg")
    for page in (
        anonymous.get(reverse("accounts:login")),  # the portal's pages
        anonymous.get("/no-such-page/"),  # its error pages
        staff_client.get(reverse("admin:index")),  # the admin
    ):
        text = page.content.decode()
        assert '<link rel="icon" href="/favicon.ico"' in text
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in text
