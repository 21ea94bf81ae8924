import pytest
from rest_framework.test import APIClient

from organizations.models import MonitoringGrant
from organizations.roles import Role
from tests.factories import (
    PersonFactory,
    RegionFactory,
    SubscriptionFactory,
    TicketFactory,
    UnitFactory,
    customer_with_subscription,
)
from tickets.models import TicketShare

pytestmark = pytest.mark.django_db


def client_for(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


@pytest.fixture
def unit():
    institution = SubscriptionFactory(package_code="premium").institution
    return UnitFactory(region=RegionFactory(institution=institution))


def test_requester_shares_with_a_unit(unit):
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


def test_sharing_another_institutions_ticket_is_404(unit):
    # given
    ticket = TicketFactory(requester=customer_with_subscription("premium"))
    # when
    response = client_for(PersonFactory(unit=unit)).post(
        f"/api/v1/tickets/{ticket.pk}/shares/", {"unit": unit.pk}, format="json"
    )
    # then
    assert response.status_code == 404


def test_sharing_with_another_institutions_person_is_422(unit):
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


def test_silver_package_answers_feature_locked_with_the_packages():
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


def test_unshare_deletes_the_share(unit):
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


def test_admin_gives_and_revokes_a_grant(unit):
    # given
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=unit.institution)
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=unit)
    client = client_for(admin)
    grant_id = client.post("/api/v1/monitoring-grants/", {"person": manager.pk}, format="json").json()["id"]
    # when
    response = client.post(f"/api/v1/monitoring-grants/{grant_id}/revoke/")
    # then
    assert response.status_code == 200
    assert response.json()["revoked_by"] == admin.pk
    assert MonitoringGrant.objects.get(pk=grant_id).revoked_at is not None


def test_grant_for_another_institutions_person_is_422(unit):
    # given
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=unit.institution)
    foreign_unit = UnitFactory(
        region=RegionFactory(institution=SubscriptionFactory(package_code="premium").institution)
    )
    stranger = PersonFactory(role=Role.UNIT_MANAGER, unit=foreign_unit)
    # when
    response = client_for(admin).post("/api/v1/monitoring-grants/", {"person": stranger.pk}, format="json")
    # then
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["person"]
    assert not MonitoringGrant.objects.exists()


def test_manager_cannot_list_grants(unit):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=unit)
    # when
    response = client_for(manager).get("/api/v1/monitoring-grants/")
    # then
    assert response.status_code == 403


def test_revoking_another_institutions_grant_is_404(unit):
    # given
    other = SubscriptionFactory(package_code="premium").institution
    other_admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=other)
    other_manager = PersonFactory(
        role=Role.UNIT_MANAGER, unit=UnitFactory(region=RegionFactory(institution=other))
    )
    grant_id = (
        client_for(other_admin)
        .post("/api/v1/monitoring-grants/", {"person": other_manager.pk}, format="json")
        .json()["id"]
    )
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=unit.institution)
    # when
    response = client_for(admin).post(f"/api/v1/monitoring-grants/{grant_id}/revoke/")
    # then
    assert response.status_code == 404
