import pytest

from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory, UnitFactory, customer_with_subscription

pytestmark = pytest.mark.django_db


def test_me_shows_the_person_role_and_institution(client_for, customer):
    # when
    me = client_for(customer).get("/api/v1/me/").json()
    # then
    assert (me["id"], me["username"], me["role"]) == (customer.pk, customer.username, "customer")
    assert me["institution"] == {
        "id": customer.institution_id,
        "name": customer.institution.name,
        "slug": customer.institution.slug,
    }


def test_me_shows_allotment_used_and_remaining_per_channel(client_for, customer):
    # given
    TicketFactory(requester=customer)
    # when
    me = client_for(customer).get("/api/v1/me/").json()
    # then
    assert me["subscription"]["package"]["code"] == "premium"
    assert me["subscription"]["quotas"]["written"] == {
        "included": True,
        "unlimited": False,
        "allotment": 1000,
        "used": 1,
        "remaining": 999,
    }


def test_me_shows_null_allotment_and_remaining_where_unlimited(client_for):
    # given
    person = customer_with_subscription("premium_plus")
    TicketFactory(requester=person)
    # when
    quotas = client_for(person).get("/api/v1/me/").json()["subscription"]["quotas"]
    # then
    assert quotas["written"] == {
        "included": True,
        "unlimited": True,
        "allotment": None,
        "used": 1,
        "remaining": None,
    }


def test_me_marks_channels_the_package_does_not_include(client_for):
    # given
    person = customer_with_subscription("standard")
    # when
    quotas = client_for(person).get("/api/v1/me/").json()["subscription"]["quotas"]
    # then
    assert quotas["onsite_days"]["included"] is False
    assert quotas["onsite_days"]["remaining"] is None


def test_me_shows_unit_and_region(client_for, premium):
    # given
    unit = UnitFactory(region__institution=premium.institution)
    person = PersonFactory(unit=unit, role=Role.CUSTOMER)
    # when
    me = client_for(person).get("/api/v1/me/").json()
    # then
    assert me["unit"] == {"id": unit.pk, "name": unit.name}
    assert me["region"] == {"id": unit.region_id, "name": unit.region.name}


def test_me_for_an_engineer_has_no_institution_or_contract(client_for, engineer):
    # when
    me = client_for(engineer).get("/api/v1/me/").json()
    # then
    assert me["role"] == "support_engineer"
    assert me["institution"] is None and me["subscription"] is None
