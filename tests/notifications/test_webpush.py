"""Web Push end to end: a browser's subscription made over the API, an engineer's answer, and the
request a push service on 127.0.0.1 receives — signed with the site's VAPID key (RFC 8292) and
decrypted here with the browser's private key and auth secret (RFC 8291, aes128gcm)."""

import json
import time

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from notifications.models import PushSubscription
from notifications.tasks import dispatch
from tests.factories import TicketFactory
from tests.notifications.push import BrowserKeys, PushService, b64url_decode

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/api/v1/me/push-subscriptions/"


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


def subscribe(client, endpoint: str, keys: BrowserKeys) -> None:
    response = client.post(
        URL, {"endpoint": endpoint, "keys": {"p256dh": keys.p256dh, "auth": keys.auth}}, format="json"
    )
    assert response.status_code == 201


def vapid_claims(authorization: str, public_key: str) -> dict:
    """The JWT of `Authorization: vapid t=…, k=…`, its signature checked against the site's key."""
    params = dict(part.strip().split("=", 1) for part in authorization.removeprefix("vapid ").split(","))
    assert params["k"] == public_key
    header, claims, signature = params["t"].split(".")
    raw = b64url_decode(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(public_key))
    key.verify(
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        f"{header}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    return json.loads(b64url_decode(claims))


def test_an_engineers_answer_reaches_the_browser_within_five_seconds(
    customer, engineer, client_for, push_service, settings
):
    # given: the customer's browser subscribed through the API
    keys = BrowserKeys()
    subscribe(client_for(customer), f"{push_service.url}/push/device-1", keys)
    ticket = TicketFactory(requester=customer, subject="VPN drops every hour")
    # when: the engineer answers over the API and the dispatch the beat runs every 5 s runs once
    answered = time.monotonic()
    response = client_for(engineer).post(
        f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "Update the client to 5.2, please."}, format="json"
    )
    assert response.status_code == 201
    dispatch()
    # then
    assert push_service.arrived.wait(5)
    [request] = push_service.received
    assert request["at"] - answered < 5
    assert request["headers"]["content-encoding"] == "aes128gcm"
    claims = vapid_claims(request["headers"]["authorization"], settings.VAPID_PUBLIC_KEY)
    assert (claims["aud"], claims["sub"]) == (push_service.url, settings.VAPID_SUBJECT)
    payload = json.loads(
        http_ece.decrypt(
            request["body"], private_key=keys.private_key, auth_secret=keys.auth_secret, version="aes128gcm"
        )
    )
    assert payload["title"] == f"#{ticket.pk} VPN drops every hour"
    assert "Update the client to 5.2, please." in payload["body"]
    assert payload["url"].endswith(f"/tickets/{ticket.pk}/")


def test_a_subscription_the_push_service_answers_410_for_is_removed(
    customer, engineer, client_for, push_service
):
    # given
    subscribe(client_for(customer), f"{push_service.url}/push/gone", BrowserKeys())
    ticket = TicketFactory(requester=customer)
    # when
    client_for(engineer).post(f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "Answer"}, format="json")
    dispatch()
    # then
    assert [request["path"] for request in push_service.received] == ["/push/gone"]
    assert not PushSubscription.objects.exists()
