"""The preferences page and the one-click unsubscribe endpoint."""

import re

import pytest

from notifications.models import NotificationPreference
from notifications.tokens import unsubscribe_token
from tests.factories.organizations import PASSWORD

pytestmark = pytest.mark.django_db


def test_preferences_page_saves_a_mode(client, customer):
    # given
    client.login(username=customer.username, password=PASSWORD)
    form = {
        "language": "tr",
        "ticket_filed": "on",
        "desk_answered": "digest",
        "customer_replied": "on",
        "waiting_on_customer": "on",
        "resolved": "on",
        "reopened": "on",
        "development_updated": "off",
        "share_given": "on",
    }
    # when
    response = client.post("/account/notifications/", form)
    # then
    assert response.status_code == 302
    assert (
        dict(NotificationPreference.objects.filter(person=customer).values_list("kind", "mode"))[
            "development_updated"
        ]
        == "off"
    )


def test_preferences_page_shows_mandatory_kind_fixed(client, engineer):
    # given
    client.login(username=engineer.username, password=PASSWORD)
    # when
    page = client.get("/account/notifications/").content.decode()
    # then
    assert re.search(r'<select name="sla_breach"[^>]*\bdisabled\b', page)


def test_preferences_page_needs_login(client):
    # when
    response = client.get("/account/notifications/")
    # then
    assert response.status_code == 302


def test_one_click_unsubscribe_post_needs_no_login(client, customer):
    # given
    token = unsubscribe_token(person_id=customer.pk, kind="resolved")
    # when
    response = client.post(f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    # then
    assert response.status_code == 200
    assert NotificationPreference.objects.get(person=customer, kind="resolved").mode == "off"


def test_following_the_link_only_asks(client, customer):
    # given
    token = unsubscribe_token(person_id=customer.pk, kind="resolved")
    # when
    response = client.get(f"/notifications/unsubscribe/{token}/")
    # then
    assert response.status_code == 200
    assert not NotificationPreference.objects.exists()


def test_forged_unsubscribe_token_is_404(client, customer):
    # given
    token = unsubscribe_token(person_id=customer.pk, kind="resolved")[:-2] + "xx"
    # when
    response = client.post(f"/notifications/unsubscribe/{token}/")
    # then
    assert response.status_code == 404
    assert not NotificationPreference.objects.exists()


def test_mandatory_kind_cannot_be_unsubscribed(client, engineer):
    # given
    token = unsubscribe_token(person_id=engineer.pk, kind="sla_breach")
    # when
    response = client.post(f"/notifications/unsubscribe/{token}/")
    # then
    assert response.status_code == 404
    assert not NotificationPreference.objects.exists()
