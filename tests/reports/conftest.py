import pytest

from tests.factories import TicketFactory
from tickets.services import ticket_change_status, ticket_reply


@pytest.fixture
def resolve():
    """Answer and resolve a ticket as the engineer, as the desk does."""

    def run(ticket, engineer):
        ticket_reply(actor=engineer, ticket=ticket, body="Yeni sürümde düzeltildi.")
        return ticket_change_status(actor=engineer, ticket=ticket, status="resolved")

    return run


@pytest.fixture
def resolved_ticket(customer, engineer, resolve):
    ticket = TicketFactory(requester=customer)
    return resolve(ticket, engineer)
