"""The ticket page's conversation as one timeline: messages and the history rows between them,
as each side may read them."""

import re

import pytest
from django.urls import reverse

from tests.clients import login
from tests.factories import TicketFactory
from tickets.services import ticket_assign, ticket_change_status, ticket_note, ticket_reply

pytestmark = pytest.mark.django_db


def _timeline(page: str) -> str:
    return re.search(r'<ol class="timeline".*?</ol>', page, re.S).group(0)


def test_desk_reads_messages_notes_and_changes_in_order(browser_client, engineer):
    # given
    ticket = TicketFactory()
    ticket_reply(actor=engineer, ticket=ticket, body="İlk yanıt.")
    ticket_note(actor=engineer, ticket=ticket, body="İç bilgi.")
    ticket_change_status(actor=engineer, ticket=ticket, status="waiting")
    ticket_assign(actor=engineer, ticket=ticket, assignee=engineer)
    login(browser_client, engineer)
    # when
    timeline = _timeline(browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode())
    # then
    order = [
        timeline.index("İlk yanıt."),
        timeline.index("İç bilgi."),
        timeline.index("Status changed: Open → Waiting on customer"),
        timeline.index('data-event="assigned"'),
    ]
    assert order == sorted(order)
    assert "First response made" in timeline


def test_requester_reads_status_changes_but_no_note_or_assignment(browser_client, engineer):
    # given
    ticket = TicketFactory()
    ticket_note(actor=engineer, ticket=ticket, body="İç bilgi.")
    ticket_assign(actor=engineer, ticket=ticket, assignee=engineer)
    ticket_change_status(actor=engineer, ticket=ticket, status="waiting")
    login(browser_client, ticket.requester)
    # when
    timeline = _timeline(browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode())
    # then
    assert "Status changed: New → Waiting on customer" in timeline
    assert "İç bilgi." not in timeline
    assert 'data-event="assigned"' not in timeline
    assert engineer.username not in timeline


def test_desk_composer_offers_the_four_modes_and_the_requester_none(browser_client, engineer):
    # given
    ticket = TicketFactory()
    login(browser_client, engineer)
    # when
    desk_page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    login(browser_client, ticket.requester)
    customer_page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then
    assert re.findall(r'name="composer-mode" value="(\w+)"', desk_page) == ["reply", "note", "call", "remote"]
    assert 'name="composer-mode"' not in customer_page
    assert 'data-testid="units-written"' in desk_page
