"""Security headers on every page, no inline script or style anywhere in the templates (the
Content-Security-Policy forbids them), and password rules as OWASP ASVS 5.0 asks."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

pytestmark = pytest.mark.django_db

INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def template_files() -> list[Path]:
    """Every page template. E-mail templates and the templates WeasyPrint renders to PDF are left
    out: the policy governs pages a browser loads, and mail clients and the PDF renderer need
    their styles inline."""
    roots = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
    return sorted(
        path
        for root in roots
        for path in root.rglob("*.html")
        if ".venv" not in path.parts and "email" not in path.parts and not path.stem.endswith("_pdf")
    )


def test_pages_carry_a_policy_without_inline_scripts_or_styles_and_the_other_headers(client, customer):
    # given
    client.force_login(customer)
    # when
    response = client.get(reverse("home"))
    # then
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_login_page_carries_the_policy(client):
    # when
    response = client.get(reverse("login"))
    # then
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_no_template_holds_an_inline_script_style_or_event_handler():
    # given
    files = template_files()
    # when
    offending = {str(path): INLINE.findall(path.read_text()) for path in files}
    # then
    assert len(files) > 20
    assert {path: found for path, found in offending.items() if found} == {}


def test_api_docs_page_loads_its_script_as_a_file(client):
    # when
    page = client.get(reverse("api-docs"))
    script = client.get(reverse("api-docs") + "?script=")
    # then
    assert page.status_code == 200
    assert not INLINE.findall(page.content.decode())
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


@pytest.mark.parametrize("password", ["8301947265183", "uzun ama basit bir cümle", "kedikopekbalik"])
def test_passwords_of_eight_or_more_characters_need_no_digits_capitals_or_symbols(password):
    # then: no composition rule (an all-digit or all-lowercase password is allowed)
    validate_password(password)


@pytest.mark.parametrize("password", ["kısa123", "password", "qwertyuiop", "12345678"])
def test_short_or_common_passwords_are_refused(password):
    # then
    with pytest.raises(ValidationError):
        validate_password(password)
