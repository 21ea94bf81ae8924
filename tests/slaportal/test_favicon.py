"""The site's icon: /favicon.ico answers (browsers ask for it on their own), and every page links
the SVG icon from the site itself, as the Content-Security-Policy allows."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_favicon_ico_answers_with_an_icon(client):
    # when
    response = client.get("/favicon.ico")
    # then: a Windows icon (ICO header: reserved 0, type 1)
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert _body(response)[:4] == b"\x00\x00\x01\x00"


def test_pages_link_the_svg_icon_from_the_site(client):
    # given: the login page, which every visitor sees first
    page = client.get(reverse("login"))
    # when
    [href] = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page.content.decode())
    icon = client.get(href)
    # then: served from this site, an SVG, and allowed by the policy's img-src 'self'
    assert href.startswith("/static/")
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert _body(icon).startswith(b"<svg")
    assert "img-src 'self'" in page["Content-Security-Policy"]
