import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from organizations.roles import Role
from slaportal.api.services import api_token_issue
from tests.factories import PersonFactory, TicketFactory
from tickets.services import ticket_change_status, ticket_reply


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for():
    def make(person) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(actor=person).key}")
        return client

    return make


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


@pytest.fixture
def institution_admin(premium):
    return PersonFactory(institution=premium.institution, role=Role.INSTITUTION_ADMIN)
