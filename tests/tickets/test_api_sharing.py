"""Sharing a ticket through the API: the role checks, the package lock, and the answers for ids the
person may not use. The tenant boundary is in tests/slaportal/test_api_tenancy.py's table."""

import pytest

from organizations.roles import Role
from organizations.services import monitoring_grant_give
from tests.factories import (
    PersonFactory,
    SubscriptionFactory,
    TicketFactory,
    customer_with_subscription,
)
from tests.factories.visibility import TicketShareFactory
from tickets.models import TicketShare
from tickets.services import ticket_share

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(unit):
    return TicketFactory(requester=PersonFactory(role=Role.CUSTOMER, unit=unit))


@pytest.fixture
def colleague(unit):
    return PersonFactory(role=Role.CUSTOMER, unit=unit)


def _shares(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/shares/"


def test_share_list_names_the_targets(client_for, ticket, colleague):
    # given
    ticket_share(actor=ticket.requester, ticket=ticket, person=colleague)
    # when
    response = client_for(ticket.requester).get(_shares(ticket))
    # then
    assert response.status_code == 200
    assert [(row["target"], row["target_id"]) for row in response.json()] == [("person", colleague.pk)]


def test_shared_colleague_sees_the_ticket_in_their_list(client_for, ticket, colleague):
    # given
    client_for(ticket.requester).post(_shares(ticket), {"person": colleague.pk})
    # when
    response = client_for(colleague).get("/api/v1/tickets/")
    # then
    assert [row["id"] for row in response.json()["results"]] == [ticket.pk]


def test_customer_the_ticket_is_shared_with_cannot_share_it_further(client_for, ticket, colleague, unit):
    # given
    ticket_share(actor=ticket.requester, ticket=ticket, person=colleague)
    # when
    response = client_for(colleague).post(_shares(ticket), {"unit": unit.pk})
    # then
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert TicketShare.objects.count() == 1


def test_customer_the_ticket_is_shared_with_cannot_undo_the_share(client_for, ticket, colleague):
    # given
    share = ticket_share(actor=ticket.requester, ticket=ticket, person=colleague)
    # when
    response = client_for(colleague).delete(f"{_shares(ticket)}{share.pk}/")
    # then
    assert response.status_code == 403
    assert TicketShare.objects.count() == 1


def test_unit_manager_without_a_grant_cannot_share_their_units_ticket(client_for, ticket, unit, colleague):
    # given: the ticket is shared with the unit, so the manager sees it, but holds no grant
    ticket_share(actor=ticket.requester, ticket=ticket, unit=unit)
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=unit)
    # when
    response = client_for(manager).post(_shares(ticket), {"person": colleague.pk})
    # then
    assert response.status_code == 403
    assert TicketShare.objects.count() == 1


def test_unit_manager_with_a_grant_shares_their_units_ticket(client_for, admin, ticket, unit, colleague):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=unit)
    monitoring_grant_give(actor=admin, person=manager)
    # when
    response = client_for(manager).post(_shares(ticket), {"person": colleague.pk})
    # then
    assert response.status_code == 201
    assert TicketShare.objects.get().shared_by == manager


def test_sharing_twice_returns_the_same_share(client_for, ticket, unit):
    # given
    client = client_for(ticket.requester)
    first = client.post(_shares(ticket), {"unit": unit.pk}).json()
    # when
    second = client.post(_shares(ticket), {"unit": unit.pk}).json()
    # then
    assert second["id"] == first["id"]


def test_share_with_no_target_is_400(client_for, ticket):
    # when
    response = client_for(ticket.requester).post(_shares(ticket), {})
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_another_institutions_person_is_answered_like_a_missing_one(client_for, ticket):
    # given
    stranger = PersonFactory(institution=SubscriptionFactory(package_code="premium").institution)
    client = client_for(ticket.requester)
    # when
    foreign = client.post(_shares(ticket), {"person": stranger.pk}).json()
    missing = client.post(_shares(ticket), {"person": stranger.pk + 1000}).json()
    # then
    assert foreign == missing


def test_silver_undo_of_an_old_share_is_allowed(client_for, colleague):
    # given: a share left from a Premium contract, now under Standard
    standard = SubscriptionFactory(package_code="standard")
    requester = PersonFactory(role=Role.CUSTOMER, institution=standard.institution)
    ticket = TicketFactory(requester=requester)
    share = TicketShareFactory(
        ticket=ticket, person=PersonFactory(role=Role.CUSTOMER, institution=standard.institution)
    )
    # when
    response = client_for(requester).delete(f"{_shares(ticket)}{share.pk}/")
    # then
    assert response.status_code == 204
    assert not TicketShare.objects.exists()


def test_requester_shares_with_a_unit(client_for, unit):
    # given
    requester = PersonFactory(unit=unit)
    ticket = TicketFactory(requester=requester)
    # when
    response = client_for(requester).post(
        f"/api/v1/tickets/{ticket.pk}/shares/", {"unit": unit.pk}, format="json"
    )
    # then
    assert response.status_code == 201
    assert (response.json()["target"], response.json()["target_id"]) == ("unit", unit.pk)


def test_sharing_another_institutions_ticket_is_404(client_for, unit):
    # given
    ticket = TicketFactory(requester=customer_with_subscription("premium"))
    # when
    response = client_for(PersonFactory(unit=unit)).post(
        f"/api/v1/tickets/{ticket.pk}/shares/", {"unit": unit.pk}, format="json"
    )
    # then
    assert response.status_code == 404


def test_sharing_with_another_institutions_person_is_422(client_for, unit):
    # given
    requester = PersonFactory(unit=unit)
    ticket = TicketFactory(requester=requester)
    stranger = customer_with_subscription("premium")
    # when
    response = client_for(requester).post(
        f"/api/v1/tickets/{ticket.pk}/shares/", {"person": stranger.pk}, format="json"
    )
    # then
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["person"]
    assert not TicketShare.objects.exists()


def test_silver_package_answers_feature_locked_with_the_packages(client_for):
    # given
    requester = customer_with_subscription("standard")
    ticket = TicketFactory(requester=requester)
    colleague = PersonFactory(institution=requester.institution)
    # when
    response = client_for(requester).post(
        f"/api/v1/tickets/{ticket.pk}/shares/", {"person": colleague.pk}, format="json"
    )
    # then
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "feature_locked"
    assert sorted(response.json()["error"]["packages"]) == ["Premium + SLA Paketi", "Premium SLA Paketi"]


def test_unshare_deletes_the_share(client_for, unit):
    # given
    requester = PersonFactory(unit=unit)
    ticket = TicketFactory(requester=requester)
    client = client_for(requester)
    share_id = client.post(f"/api/v1/tickets/{ticket.pk}/shares/", {"unit": unit.pk}, format="json").json()[
        "id"
    ]
    # when
    response = client.delete(f"/api/v1/tickets/{ticket.pk}/shares/{share_id}/")
    # then
    assert response.status_code == 204
    assert not TicketShare.objects.exists()
