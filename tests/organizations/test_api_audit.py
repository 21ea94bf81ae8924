"""GET /api/v1/audit-log/: tenant-scoped, cursor-paginated, one query per page."""

import pytest

from organizations.models import AuditEvent
from organizations.roles import Role
from organizations.services import region_create
from tests.factories import AuditEventFactory, PersonFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit-log/"


@pytest.fixture
def log_from_now(db):
    """The log as the test's own steps write it: the contract sales that made the fixtures'
    institutions are audited too (`subscription.sell`), so a test asking for this after its other
    fixtures starts from an empty log."""
    AuditEvent.objects.all().delete()


@pytest.fixture
def other_admin(db):
    return PersonFactory(
        role=Role.INSTITUTION_ADMIN, institution=SubscriptionFactory(package_code="premium").institution
    )


def test_admin_reads_a_change_with_before_and_after(client_for, admin, log_from_now):
    # given
    region_create(actor=admin, institution=admin.institution, name="Ege")
    # when
    response = client_for(admin).get(URL)
    # then
    assert response.status_code == 200
    [event] = response.json()["results"]
    assert event["action"] == "region.create"
    assert event["actor"] == {"id": admin.pk, "username": admin.username}
    assert event["institution"]["id"] == admin.institution_id
    assert (event["target_type"], event["target_label"]) == ("organizations.region", "Ege")
    assert (event["before"], event["after"]) == ({}, {"name": "Ege"})
    assert "Ege" in event["sentence"]
    assert (admin.get_full_name() or admin.username) in event["sentence"]


def test_admin_of_another_institution_sees_none_of_it(client_for, admin, other_admin, log_from_now):
    # given
    region_create(actor=admin, institution=admin.institution, name="Ege")
    # when
    response = client_for(other_admin).get(URL, {"institution": admin.institution_id})
    # then
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.UNIT_MANAGER, Role.REGION_MANAGER])
def test_customer_side_people_other_than_the_admin_are_refused(client_for, premium, role):
    # given
    person = PersonFactory(role=role, institution=premium.institution)
    # when
    response = client_for(person).get(URL)
    # then
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_vendor_staff_read_every_institution_and_narrow_to_one(
    client_for, engineer, admin, other_admin, log_from_now
):
    # given
    mine = AuditEventFactory(institution=admin.institution)
    theirs = AuditEventFactory(institution=other_admin.institution)
    client = client_for(engineer)
    # when
    everything = client.get(URL).json()["results"]
    narrowed = client.get(URL, {"institution": other_admin.institution_id}).json()["results"]
    # then
    assert {e["id"] for e in everything} == {mine.pk, theirs.pk}
    assert [e["id"] for e in narrowed] == [theirs.pk]


def test_filter_by_action(client_for, admin):
    # given
    AuditEventFactory(institution=admin.institution, action="region.rename")
    wanted = AuditEventFactory(institution=admin.institution, action="person.move")
    # when
    results = client_for(admin).get(URL, {"action": "person.move"}).json()["results"]
    # then
    assert [e["id"] for e in results] == [wanted.pk]


def test_cursor_pages_through_newest_first(client_for, admin, log_from_now):
    # given
    events = AuditEventFactory.create_batch(3, institution=admin.institution, actor=admin)
    client = client_for(admin)
    # when
    first = client.get(URL, {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    # then
    assert [e["id"] for e in first["results"]] == [events[2].pk, events[1].pk]
    assert [e["id"] for e in second["results"]] == [events[0].pk]
    assert second["next"] is None


def test_bad_institution_filter_is_a_400(client_for, engineer):
    # when
    response = client_for(engineer).get(URL, {"institution": "x"})
    # then
    assert response.status_code == 400


def test_list_query_count_does_not_grow(
    client_for, engineer, admin, other_admin, log_from_now, django_assert_max_num_queries
):
    # given
    for institution in (admin.institution, other_admin.institution):
        AuditEventFactory.create_batch(5, institution=institution)
    client = client_for(engineer)
    # when / then: the token, the page (actor and institution joined)
    with django_assert_max_num_queries(2):
        response = client.get(URL)
    assert len(response.json()["results"]) == 10
