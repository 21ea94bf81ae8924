"""The ticket page's collision warning: who of the desk has the ticket open (and is typing), kept
in the cache for a few seconds; and a reply crossing a newer message asks before it is sent."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from organizations.roles import Role
from tests.clients import login
from tests.factories import PersonFactory, TicketFactory
from tickets.services import ticket_note, ticket_reply

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _presence(client, ticket, **data):
    return client.post(reverse("ticket-presence", args=[ticket.pk]), data)


def test_a_second_engineer_sees_who_else_is_on_the_ticket_and_typing(client, engineer):
    # given
    ticket = TicketFactory()
    other = PersonFactory(role=Role.SUPPORT_ENGINEER, first_name="Deniz", last_name="Kaya")
    _presence(login(client, other), ticket, typing="1")
    # when
    answer = _presence(login(client, engineer), ticket, typing="0").json()
    # then
    assert answer["others"] == [{"name": "Deniz Kaya", "typing": True}]


def test_both_see_each_other(client, engineer):
    # given
    ticket = TicketFactory()
    other = PersonFactory(role=Role.DESK_LEAD, first_name="Deniz", last_name="Kaya")
    _presence(login(client, other), ticket)
    _presence(login(client, engineer), ticket)
    # when
    answer = _presence(login(client, other), ticket).json()
    # then
    assert answer["others"] == [{"name": engineer.get_full_name() or engineer.username, "typing": False}]


def test_a_mark_lapses_once_the_page_stops_reporting(client, engineer, settings):
    # given
    settings.TICKET_PRESENCE_SECONDS = 15
    ticket = TicketFactory()
    other = PersonFactory(role=Role.SUPPORT_ENGINEER)
    with time_machine.travel(START, tick=False):
        _presence(login(client, other), ticket)
    # when
    with time_machine.travel(START + datetime.timedelta(seconds=16), tick=False):
        answer = _presence(login(client, engineer), ticket).json()
    # then
    assert answer["others"] == []


def test_leaving_the_page_removes_the_mark(client, engineer):
    # given
    ticket = TicketFactory()
    other = PersonFactory(role=Role.SUPPORT_ENGINEER)
    _presence(login(client, other), ticket)
    _presence(client, ticket, leave="1")
    # when
    answer = _presence(login(client, engineer), ticket).json()
    # then
    assert answer["others"] == []


def test_presence_answers_the_newest_message_the_person_may_see(client, engineer):
    # given
    ticket = TicketFactory()
    reply = ticket_reply(actor=ticket.requester, ticket=ticket, body="Ek bilgi.")
    # when
    answer = login(client, engineer).get(reverse("ticket-presence", args=[ticket.pk])).json()
    # then
    assert answer["last_message_id"] == reply.pk


def test_reading_presence_does_not_mark_the_reader(client, engineer):
    # given
    ticket = TicketFactory()
    other = PersonFactory(role=Role.SUPPORT_ENGINEER)
    login(client, other).get(reverse("ticket-presence", args=[ticket.pk]))
    # when
    answer = _presence(login(client, engineer), ticket).json()
    # then
    assert answer["others"] == []


def test_the_requester_may_not_ask_who_is_on_their_ticket(client):
    # given
    ticket = TicketFactory()
    login(client, ticket.requester)
    # when
    response = _presence(client, ticket)
    # then
    assert response.status_code == 403


def test_a_ticket_that_does_not_exist_is_404(client, engineer):
    # given
    login(client, engineer)
    # when
    response = client.post(reverse("ticket-presence", args=[987654]))
    # then
    assert response.status_code == 404


def test_a_person_of_another_institution_gets_404(client, stranger):
    # given
    ticket = TicketFactory()
    login(client, stranger)
    # when
    response = _presence(client, ticket)
    # then
    assert response.status_code == 404


def test_a_reply_crossing_a_newer_reply_asks_before_sending_and_keeps_the_text(browser_client, engineer):
    # given: the page was read with no message; then the requester wrote
    ticket = TicketFactory()
    newer = ticket_reply(actor=ticket.requester, ticket=ticket, body="Sorun devam ediyor.")
    login(browser_client, engineer)
    # when
    response = browser_client.post(
        reverse("ticket-action", args=[ticket.pk, "reply"]),
        {"reply-body": "Yazdığım yanıt", "reply-last_seen": "0"},
    )
    # then: nothing sent, the newer reply shown, the text kept, the form now confirmed
    page = response.content.decode()
    assert response.status_code == 409
    assert ticket.messages.count() == 1
    assert 'data-testid="stale-reply"' in page
    assert "Sorun devam ediyor." in page
    assert "Yazdığım yanıt</textarea>" in page
    assert 'name="reply-confirmed" value="on"' in page
    assert f'name="reply-last_seen" value="{newer.pk}"' in page


def test_a_confirmed_reply_is_sent_across_the_newer_one(client, engineer):
    # given
    ticket = TicketFactory()
    ticket_reply(actor=ticket.requester, ticket=ticket, body="Sorun devam ediyor.")
    login(client, engineer)
    # when
    response = client.post(
        reverse("ticket-action", args=[ticket.pk, "reply"]),
        {"reply-body": "Yanıtım", "reply-last_seen": "0", "reply-confirmed": "True"},
    )
    # then
    assert response.status_code == 302
    assert ticket.messages.filter(author=engineer, body="Yanıtım").exists()


def test_a_reply_that_saw_the_newest_message_is_sent_at_once(client, engineer):
    # given
    ticket = TicketFactory()
    seen = ticket_reply(actor=ticket.requester, ticket=ticket, body="Sorun devam ediyor.")
    login(client, engineer)
    # when
    response = client.post(
        reverse("ticket-action", args=[ticket.pk, "reply"]),
        {"reply-body": "Yanıtım", "reply-last_seen": str(seen.pk)},
    )
    # then
    assert response.status_code == 302


def test_ones_own_earlier_message_does_not_hold_a_reply(client, engineer):
    # given: the engineer's own note, written in another tab
    ticket = TicketFactory()
    ticket_note(actor=engineer, ticket=ticket, body="Not.")
    login(client, engineer)
    # when
    response = client.post(
        reverse("ticket-action", args=[ticket.pk, "reply"]),
        {"reply-body": "Yanıtım", "reply-last_seen": "0"},
    )
    # then
    assert response.status_code == 302


def test_the_requester_is_asked_too_when_the_desk_answered_meanwhile(client, engineer):
    # given
    ticket = TicketFactory()
    ticket_reply(actor=engineer, ticket=ticket, body="Çözüm önerisi.")
    login(client, ticket.requester)
    # when
    response = client.post(
        reverse("ticket-action", args=[ticket.pk, "reply"]),
        {"reply-body": "Ek bilgi", "reply-last_seen": "0"},
    )
    # then
    assert response.status_code == 409
    assert ticket.messages.count() == 1


def test_an_internal_note_the_requester_cannot_see_does_not_hold_their_reply(client, engineer):
    # given
    ticket = TicketFactory()
    ticket_note(actor=engineer, ticket=ticket, body="İç not.")
    login(client, ticket.requester)
    # when
    response = client.post(
        reverse("ticket-action", args=[ticket.pk, "reply"]),
        {"reply-body": "Ek bilgi", "reply-last_seen": "0"},
    )
    # then
    assert response.status_code == 302
