import pytest
from django.core import mail
from django.urls import reverse

from core.models import OutboxMessage
from core.outbox import outbox_drain
from notifications.models import NotificationProfile
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


def test_password_reset_mails_a_link_through_the_outbox(client, customer):
    # when
    response = client.post(reverse("password_reset"), {"email": customer.email})
    # then: queued on the request, sent by the outbox's drain
    assert response.status_code == 302
    assert OutboxMessage.objects.get().cause.startswith(f"organizations.password_reset:{customer.pk}:")
    assert outbox_drain() == 1
    assert [message.to for message in mail.outbox] == [[customer.email]]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_reset_mail_is_in_the_persons_email_language(client, customer):
    # given: the customer reads e-mail in English, the page is asked for in Turkish
    NotificationProfile.objects.create(person=customer, language="en")
    # when
    client.post(reverse("password_reset"), {"email": customer.email}, HTTP_ACCEPT_LANGUAGE="tr")
    outbox_drain()
    # then
    message = OutboxMessage.objects.get()
    assert message.language == "en"
    assert "Password reset on" in mail.outbox[0].subject


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


# --- the contract as the seed table states it ------------------------------------------------------


def _home_as(browser_client, package_code: str, role: str = "customer") -> str:
    from organizations.roles import Role
    from tests.factories import PersonFactory, SubscriptionFactory

    subscription = SubscriptionFactory(package_code=package_code)
    person = PersonFactory(role=Role(role), institution=subscription.institution)
    login(browser_client, person)
    return browser_client.get("/").content.decode()


def _quota_row(page: str, channel: str) -> str:
    start = page.index(f'data-channel="{channel}"')
    return page[
        start : page.index('<div class="quota"', start) if '<div class="quota"' in page[start:] else None
    ]


@pytest.mark.parametrize("package_code", ["standard", "professional"])
def test_silver_home_shows_workshops_as_not_included(browser_client, package_code):
    # when
    page = _home_as(browser_client, package_code, "institution_admin")
    # then: ✗ as the table says, never priced separately, pointing to what can be bought
    row = _quota_row(page, "workshops")
    assert "Not included in your package." in row
    assert "Priced separately" not in page and "priced separately" not in row
    assert 'href="/onsite/"' in row


@pytest.mark.parametrize("package_code", ["standard", "professional"])
def test_silver_home_points_onsite_days_to_the_quote_request(browser_client, package_code):
    # when
    page = _home_as(browser_client, package_code, "institution_admin")
    # then
    row = _quota_row(page, "onsite_days")
    assert "Priced per day" in row and 'href="/onsite/"' in row
    assert "account manager" not in page


def test_customer_of_silver_is_told_who_can_buy_onsite_days(browser_client):
    # when: a customer, who cannot open the on-site page
    page = _home_as(browser_client, "standard")
    # then
    assert "Your institution admin can buy on-site support and training days with a quote." in page
    assert 'href="/onsite/"' not in page


def test_premium_home_shows_workshops_as_an_allotment(browser_client):
    # when
    page = _home_as(browser_client, "premium")
    # then
    assert "12 of 12 left" in _quota_row(page, "workshops")
    assert "Not included" not in page


@pytest.mark.parametrize(
    ("package_code", "priority"), [("standard", 4), ("professional", 3), ("premium", 2), ("premium_plus", 1)]
)
def test_home_shows_the_package_priority(browser_client, package_code, priority):
    # when
    page = _home_as(browser_client, package_code)
    # then
    assert f'data-testid="priority">{priority} (1 is served first)' in page
