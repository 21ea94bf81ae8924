"""The audit log page: an institution admin reads their institution's changes, vendor staff every
institution's; everyone else is turned away."""

import pytest
from django.urls import reverse

from organizations.models import AuditEvent
from organizations.roles import Role
from organizations.services import person_deactivate
from tests.clients import login
from tests.factories import AuditEventFactory, PersonFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_admin(db):
    return PersonFactory(
        role=Role.INSTITUTION_ADMIN, institution=SubscriptionFactory(package_code="premium").institution
    )


@pytest.fixture
def log_from_now(db):
    """The log as the test's own steps write it: the contract sales that made the fixtures'
    institutions are audited too (`subscription.sell`), so a test asking for this after its other
    fixtures starts from an empty log."""
    AuditEvent.objects.all().delete()


def test_admin_reads_a_change_made_in_their_institution(browser_client, institution_admin, customer):
    # given
    person_deactivate(actor=institution_admin, person=customer)
    login(browser_client, institution_admin)
    # when
    page = browser_client.get(reverse("audit-log")).content.decode()
    # then
    assert 'data-action="person.deactivate"' in page
    assert "Person deactivated" in page
    assert customer.username in page


def test_admin_of_another_institution_does_not_see_the_change(
    browser_client, institution_admin, customer, other_admin, log_from_now
):
    # given
    person_deactivate(actor=institution_admin, person=customer)
    login(browser_client, other_admin)
    # when
    response = browser_client.get(reverse("audit-log"), {"institution": institution_admin.institution_id})
    # then
    assert response.status_code == 200
    assert "data-event=" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.UNIT_MANAGER, Role.REGION_MANAGER])
def test_customer_side_people_other_than_the_admin_are_refused(browser_client, premium, role):
    # given
    login(browser_client, PersonFactory(role=role, institution=premium.institution))
    # when
    response = browser_client.get(reverse("audit-log"))
    # then
    assert response.status_code == 403


def test_vendor_staff_read_every_institution_and_narrow_to_one(
    browser_client, engineer, institution_admin, other_admin
):
    # given
    mine = AuditEventFactory(institution=institution_admin.institution)
    theirs = AuditEventFactory(institution=other_admin.institution)
    login(browser_client, engineer)
    # when
    everything = browser_client.get(reverse("audit-log")).content.decode()
    narrowed = browser_client.get(
        reverse("audit-log"), {"institution": other_admin.institution_id}
    ).content.decode()
    # then
    assert f'data-event="{mine.pk}"' in everything and f'data-event="{theirs.pk}"' in everything
    assert f'data-event="{mine.pk}"' not in narrowed and f'data-event="{theirs.pk}"' in narrowed


def test_page_is_paginated_newest_first_and_keeps_the_filter(browser_client, institution_admin):
    # given
    events = AuditEventFactory.create_batch(
        27, institution=institution_admin.institution, actor=institution_admin
    )
    login(browser_client, institution_admin)
    # when
    first = browser_client.get(reverse("audit-log"), {"action": "region.rename"}).content.decode()
    second = browser_client.get(reverse("audit-log"), {"action": "region.rename", "page": 2}).content.decode()
    # then
    assert f'data-event="{events[-1].pk}"' in first and f'data-event="{events[0].pk}"' not in first
    assert f'data-event="{events[0].pk}"' in second
    assert "action=region.rename&amp;page=2" in first


def test_page_reads_in_turkish(client, institution_admin):
    # given
    login(client, institution_admin)
    # when
    page = client.get(reverse("audit-log"), HTTP_ACCEPT_LANGUAGE="tr").content.decode()
    # then
    assert "Denetim kaydı" in page


def test_rows_carry_a_label_for_each_cell_at_phone_width(browser_client, institution_admin):
    # given: below 700 px the table's rows become cards that name each cell from data-label
    AuditEventFactory(institution=institution_admin.institution)
    login(browser_client, institution_admin)
    # when
    page = browser_client.get(reverse("audit-log")).content.decode()
    # then
    for label in ("When", "What happened", "Change"):
        assert f'data-label="{label}"' in page
