"""Provider webhooks through django-anymail: Mailgun's inbound route, signed."""

import hashlib
import hmac

import pytest

from notifications.models import InboundMessage
from tickets.models import Ticket

from .mail import raw_mail

pytestmark = pytest.mark.django_db

KEY = "mailgun-signing-key"
URL = "/anymail/mailgun/inbound_mime/"


def signed(fields: dict, key: str = KEY) -> dict:
    timestamp, token = "1764500000", "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {**fields, "timestamp": timestamp, "token": token, "signature": signature}


@pytest.fixture
def mailgun(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}


def test_signed_mailgun_inbound_files_a_ticket(client, mailgun, customer):
    # given
    raw = raw_mail(sender=customer.email, subject="Printing fails").decode()
    # when
    response = client.post(URL, signed({"body-mime": raw, "recipient": "destek@slaportal.local"}))
    # then
    assert response.status_code == 200
    assert list(Ticket.objects.filter(requester=customer).values_list("subject", flat=True)) == [
        "Printing fails"
    ]
    assert InboundMessage.objects.get().source == "webhook"


def test_signed_inbound_has_the_dispatch_sent_by_name_after_commit(
    client, mailgun, customer, sent_tasks, django_capture_on_commit_callbacks
):
    # given
    raw = raw_mail(sender=customer.email, subject="Printing fails").decode()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, signed({"body-mime": raw, "recipient": "destek@slaportal.local"}))
    # then
    assert response.status_code == 200
    assert sent_tasks[-1] == "notifications.dispatch"
    assert all(isinstance(name, str) for name in sent_tasks)


def test_badly_signed_mailgun_inbound_is_refused_and_creates_nothing(client, mailgun, customer):
    # given
    raw = raw_mail(sender=customer.email).decode()
    # when
    response = client.post(URL, signed({"body-mime": raw}, key="wrong-key"))
    # then
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_mailgun_inbound_does_not_exist_without_a_signing_key(client, settings, customer):
    # given
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": ""}
    # when
    response = client.post(URL, signed({"body-mime": raw_mail(sender=customer.email).decode()}))
    # then
    assert response.status_code == 404
    assert not InboundMessage.objects.exists()


def test_the_same_message_posted_twice_files_one_ticket(client, mailgun, customer):
    # given
    raw = raw_mail(sender=customer.email, message_id="<retried@client.example.test>").decode()
    client.post(URL, signed({"body-mime": raw}))
    # when
    response = client.post(URL, signed({"body-mime": raw}))
    # then
    assert response.status_code == 200
    assert Ticket.objects.filter(requester=customer).count() == 1
