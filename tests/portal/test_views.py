import pytest
from django.core import mail
from django.urls import reverse

from tests.clients import login

pytestmark = pytest.mark.django_db


def test_anonymous_home_redirects_to_login(client):
    # when
    response = client.get("/")
    # then
    assert response.status_code == 302
    assert response.url == reverse("login")


def test_login_page_is_turkish_by_default(client):
    # when
    response = client.get(reverse("login"))
    # then
    assert response.status_code == 200
    assert '<html lang="tr">' in response.content.decode()
    assert "Giriş yap" in response.content.decode()


def test_login_with_password_lands_on_home(client, customer):
    # when
    response = client.post(reverse("login"), {"username": customer.username, "password": "test-pass-2026"})
    # then
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_wrong_password_shows_error_next_to_form(browser_client, customer):
    # when
    response = browser_client.post(reverse("login"), {"username": customer.username, "password": "nope"})
    # then
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_language_switch_turns_page_into_english(client, customer):
    # given
    login(client, customer)
    # when
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    # then
    assert '<html lang="en">' in response.content.decode()
    assert "Your support contract" in response.content.decode()


def test_header_shows_person_role_and_institution(browser_client, customer):
    # given
    login(browser_client, customer)
    # when
    page = browser_client.get("/").content.decode()
    # then
    assert customer.username in page
    assert "Customer" in page
    assert customer.institution.name in page


def test_logout_is_a_post_that_ends_the_session(client, customer):
    # given
    login(client, customer)
    # when
    client.post(reverse("logout"))
    # then
    assert client.get("/").status_code == 302


def test_password_reset_mails_a_link(client, customer):
    # when
    response = client.post(reverse("password_reset"), {"email": customer.email})
    # then
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_reset_page_uses_the_portal_layout(browser_client):
    # when
    page = browser_client.get(reverse("password_reset")).content.decode()
    # then
    assert "Reset your password" in page
    assert "css/portal.css" in page


def test_forms_carry_csrf_tokens(client, customer):
    # given
    login(client, customer)
    # when
    page = client.get(reverse("ticket-new")).content.decode()
    # then
    assert 'name="csrfmiddlewaretoken"' in page


def test_forbidden_page_is_rendered_in_layout(browser_client, customer):
    # given
    login(browser_client, customer)
    # when
    response = browser_client.get(reverse("ticket-queue"))
    # then
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


def test_browser_language_does_not_override_turkish_default(client):
    # when
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    # then
    assert '<html lang="tr">' in response.content.decode()


def test_api_still_follows_accept_language(client):
    # when
    response = client.get("/api/v1/packages/", HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response["Content-Language"] == "en"
