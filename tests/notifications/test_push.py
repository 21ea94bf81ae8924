"""Push: devices over the API, the preferences per channel, the pushes ticket events and training
reminders ask for, and their sending through the platform's transport (a fake one here)."""

import datetime

import pytest
from django.utils import timezone

from core.outbox import outbox_drain
from learning.services import training_reminder_send
from notifications.models import Kind, NotificationPreference, PushMessage, PushSubscription
from notifications.services.fanout import notification_fanout
from notifications.services.push import PushRequest, push_drain, push_request_many
from tests.factories import TicketFactory
from tests.factories.learning import TrainingFactory
from tests.notifications.push import FakeTransport
from tickets.models import TicketEvent
from tickets.services import ticket_change_status, ticket_reply

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/push-subscriptions/"
PREFERENCES = "/api/v1/me/notifications/"
WEB = {"endpoint": "https://push.example/send/abc", "keys": {"p256dh": "BPUB", "auth": "AUTH"}}


@pytest.fixture(autouse=True)
def fake_transport(settings):
    FakeTransport.sent = []
    settings.PUSH_TRANSPORTS = dict.fromkeys(("web", "fcm", "apns"), "tests.notifications.push.FakeTransport")
    from notifications.push import _transport_class

    _transport_class.cache_clear()
    yield FakeTransport
    _transport_class.cache_clear()


def device(person, endpoint="https://push.example/send/1", platform="web") -> PushSubscription:
    return PushSubscription.objects.create(
        person=person, endpoint=endpoint, platform=platform, p256dh="k", auth="a"
    )


# --- the API -------------------------------------------------------------------------------------


def test_a_browser_subscribes_with_its_subscription_json(customer, client_for):
    # when
    response = client_for(customer).post(URL, {**WEB, "expirationTime": None}, format="json")
    # then
    assert response.status_code == 201
    assert response.json()["platform"] == "web"
    assert PushSubscription.objects.get(endpoint=WEB["endpoint"]).person == customer


def test_subscribing_the_same_endpoint_again_updates_it(customer, client_for):
    # given
    client_for(customer).post(URL, WEB, format="json")
    # when
    response = client_for(customer).post(
        URL, {**WEB, "keys": {"p256dh": "NEW", "auth": "AUTH"}}, format="json"
    )
    # then
    assert response.status_code == 200
    assert PushSubscription.objects.get().p256dh == "NEW"


def test_a_browser_subscription_without_keys_is_a_400(customer, client_for):
    # when
    response = client_for(customer).post(URL, {"endpoint": WEB["endpoint"]}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_a_native_app_registers_its_token_through_the_same_endpoint(customer, client_for):
    # when
    response = client_for(customer).post(URL, {"platform": "fcm", "endpoint": "fcm-token-1"}, format="json")
    # then
    assert response.status_code == 201
    assert PushSubscription.objects.get().platform == "fcm"


def test_the_list_shows_own_devices_and_the_vapid_key(customer, engineer, client_for, settings):
    # given
    device(customer)
    device(engineer, endpoint="https://push.example/send/2")
    # when
    body = client_for(customer).get(URL).json()
    # then
    assert body["vapid_public_key"] == settings.VAPID_PUBLIC_KEY
    assert [row["endpoint"] for row in body["results"]] == ["https://push.example/send/1"]


def test_delete_removes_own_device(customer, client_for):
    # given
    device(customer)
    # when
    response = client_for(customer).delete(URL, {"endpoint": "https://push.example/send/1"}, format="json")
    # then
    assert response.status_code == 204
    assert not PushSubscription.objects.exists()


def test_delete_of_another_persons_device_is_a_404_and_keeps_it(customer, stranger, client_for):
    # given
    device(customer)
    # when
    response = client_for(stranger).delete(URL, {"endpoint": "https://push.example/send/1"}, format="json")
    # then
    assert response.status_code == 404
    assert PushSubscription.objects.filter(person=customer).exists()


def test_push_subscriptions_need_credentials(db, client):
    # when
    response = client.get(URL)
    # then
    assert response.status_code == 401


# --- preferences per channel ---------------------------------------------------------------------


def test_preferences_show_push_per_kind(customer, client_for):
    # when
    body = client_for(customer).get(PREFERENCES).json()
    kinds = {row["kind"]: row for row in body["kinds"]}
    # then
    assert body["push"]["desk_answered"] == "on"
    assert kinds["desk_answered"]["push_modes"] == ["on", "off"]
    assert kinds["ticket_filed"]["push"] is None
    assert kinds["training_reminder"]["mandatory"] is True


def test_push_can_be_turned_off_while_email_stays_on(customer, client_for):
    # when
    body = client_for(customer).patch(PREFERENCES, {"push": {"desk_answered": "off"}}, format="json").json()
    # then
    assert (body["push"]["desk_answered"], body["preferences"]["desk_answered"]) == ("off", "on")


def test_a_kind_that_is_not_pushed_is_a_400(customer, client_for):
    # when
    response = client_for(customer).patch(PREFERENCES, {"push": {"ticket_filed": "on"}}, format="json")
    # then
    assert response.status_code == 400
    assert "push.ticket_filed" in response.json()["error"]["fields"]


def test_the_preferences_page_saves_push_per_kind(customer, client):
    # given
    client.force_login(customer)
    page = client.get("/account/notifications/")
    form = page.context["form"]
    data = {name: field.initial for name, field in form.fields.items() if not field.disabled}
    data["push_resolved"] = "off"
    # when
    response = client.post("/account/notifications/", data)
    # then
    assert response.status_code == 302
    assert NotificationPreference.objects.get(person=customer, kind="resolved").push == "off"


# --- what is pushed ------------------------------------------------------------------------------


def test_an_engineers_answer_is_pushed_to_the_requesters_device(customer, engineer):
    # given
    ticket = TicketFactory(requester=customer, subject="Printer offline")
    device(customer)
    # when
    ticket_reply(actor=engineer, ticket=ticket, body="Restart the spooler, please.")
    notification_fanout()
    push_drain()
    # then
    [sent] = FakeTransport.sent
    assert sent["payload"]["title"] == f"#{ticket.pk} Printer offline"
    assert "Restart the spooler, please." in sent["payload"]["body"]
    assert sent["payload"]["url"].endswith(f"/tickets/{ticket.pk}/")


def test_push_off_writes_no_push_but_the_email_still_goes(customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    device(customer)
    NotificationPreference.objects.create(person=customer, kind=Kind.DESK_ANSWERED, push="off")
    # when
    ticket_reply(actor=engineer, ticket=ticket, body="Answer")
    notification_fanout()
    # then
    assert not PushMessage.objects.exists()
    assert customer.notifications.filter(kind=Kind.DESK_ANSWERED, status="pending").exists()


def test_nobody_without_a_device_gets_a_push_row(customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    ticket_reply(actor=engineer, ticket=ticket, body="Answer")
    notification_fanout()
    # then
    assert not PushMessage.objects.exists()


def test_the_resolution_push_opens_the_survey(customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    device(customer)
    # when
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    notification_fanout()
    # then
    push = PushMessage.objects.get(kind=Kind.RESOLVED)
    assert "/surveys/" in push.url
    assert push.body == "Talebiniz çözüldü. Yanıt nasıldı? Puanlamak için dokunun."


def test_the_status_change_to_waiting_is_pushed(customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    device(customer)
    # when
    ticket_change_status(actor=engineer, ticket=ticket, status="waiting")
    notification_fanout()
    # then
    assert list(PushMessage.objects.values_list("kind", flat=True)) == [Kind.WAITING_ON_CUSTOMER]


def test_a_breached_deadline_is_pushed_to_the_desk_leads(lead, customer):
    # given
    ticket = TicketFactory(requester=customer)
    device(lead)
    device(customer, endpoint="https://push.example/send/customer")
    TicketEvent.objects.create(
        ticket=ticket,
        institution_id=ticket.institution_id,
        kind=TicketEvent.Kind.SLA_BREACHED,
        data={"due_at": timezone.now().isoformat()},
    )
    # when
    notification_fanout()
    # then
    push = PushMessage.objects.get()
    assert (push.recipient, push.kind) == (lead, Kind.SLA_BREACH)


def test_a_training_reminder_is_pushed_beside_its_email(customer, mailoutbox):
    # given
    training = TrainingFactory(starts_at=timezone.now() + datetime.timedelta(minutes=30), is_published=True)
    registration = training.registrations.create(person=customer, institution=customer.institution)
    device(customer)
    # when
    sent = training_reminder_send(registration_id=registration.pk, kind="1h")
    outbox_drain()
    # then
    assert sent is True
    push = PushMessage.objects.get()
    assert (push.kind, push.title, push.cause) == (
        Kind.TRAINING_REMINDER,
        training.title,
        f"training-reminder:{registration.pk}:1h",
    )
    assert len(mailoutbox) == 1


# --- sending ------------------------------------------------------------------------------------


def request_for(person, cause="test:1") -> PushRequest:
    return PushRequest(recipient_id=person.pk, cause=cause, kind=Kind.DESK_ANSWERED, title="T", body="B")


def test_the_same_cause_is_pushed_once(customer):
    # given
    device(customer)
    # when
    push_request_many(requests=[request_for(customer)])
    push_request_many(requests=[request_for(customer)])
    push_drain()
    push_drain()
    # then
    assert len(FakeTransport.sent) == 1


def test_a_device_the_push_service_calls_gone_is_removed(customer):
    # given
    device(customer, endpoint="https://push.example/gone")
    device(customer, endpoint="https://push.example/ok")
    push_request_many(requests=[request_for(customer)])
    # when
    push_drain()
    # then
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == ["https://push.example/ok"]
    assert PushMessage.objects.get().status == "sent"


def test_a_failing_device_is_retried_without_pushing_the_others_twice(customer):
    # given
    device(customer, endpoint="https://push.example/down")
    device(customer, endpoint="https://push.example/ok")
    push_request_many(requests=[request_for(customer)])
    push_drain()
    push = PushMessage.objects.get()
    # when: the retry is due and the device is back
    PushSubscription.objects.filter(endpoint="https://push.example/down").update(
        endpoint="https://push.example/back"
    )
    PushMessage.objects.filter(pk=push.pk).update(available_at=timezone.now())
    push_drain()
    # then
    assert [row["endpoint"] for row in FakeTransport.sent] == [
        "https://push.example/ok",
        "https://push.example/back",
    ]
    push.refresh_from_db()
    assert (push.status, push.attempts) == ("sent", 1)


def test_a_push_is_marked_failed_after_the_last_attempt(customer):
    # given
    device(customer, endpoint="https://push.example/down")
    push_request_many(requests=[request_for(customer)])
    # when
    for _ in range(6):
        PushMessage.objects.update(available_at=timezone.now())
        push_drain()
    # then
    assert PushMessage.objects.get().status == "failed"


def test_another_persons_device_never_gets_the_push(customer, stranger):
    # given
    device(stranger)
    # when
    push_request_many(requests=[request_for(customer)])
    push_drain()
    # then
    assert FakeTransport.sent == []
    assert not PushMessage.objects.exists()
