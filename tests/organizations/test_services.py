import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.outbox import outbox_drain
from organizations.models import User
from organizations.roles import Role
from organizations.services import (
    person_add,
    person_deactivate,
    person_invite,
    person_reactivate,
    region_create,
)
from packages.errors import NoActiveSubscription, UserCapReached
from tests.factories import InstitutionFactory, PersonFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    """The vendor's package manager, who may manage any institution's people without taking a place."""
    return PersonFactory(role=Role.PACKAGE_MANAGER)


def test_person_added_within_cap_gets_role(staff):
    # given
    subscription = SubscriptionFactory(package_code="standard")
    # when
    person = person_add(
        actor=staff, institution=subscription.institution, username="ayse", role=Role.CUSTOMER
    )
    # then
    assert person.role == Role.CUSTOMER
    assert person.institution == subscription.institution


def test_person_beyond_cap_is_refused_and_nothing_written(staff):
    # given: Standard allows 3 people
    subscription = SubscriptionFactory(package_code="standard")
    for name in ("a", "b", "c"):
        person_add(actor=staff, institution=subscription.institution, username=name)
    # when
    with pytest.raises(UserCapReached) as error:
        person_add(actor=staff, institution=subscription.institution, username="d")
    # then
    assert error.value.cap == 3
    assert "3" in str(error.value)
    assert not User.objects.filter(username="d").exists()


def test_invitation_beyond_cap_is_refused(mailoutbox, staff):
    # given
    subscription = SubscriptionFactory(package_code="standard")
    for name in ("a", "b", "c"):
        person_add(actor=staff, institution=subscription.institution, username=name)
    # when / then
    with pytest.raises(UserCapReached):
        person_invite(actor=staff, institution=subscription.institution, email="new@example.test")
    assert mailoutbox == []


def test_invitation_sends_password_link(mailoutbox, django_capture_on_commit_callbacks, staff):
    # given
    subscription = SubscriptionFactory(package_code="professional")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        person = person_invite(actor=staff, institution=subscription.institution, email="new@example.test")
    outbox_drain()
    # then
    assert not person.has_usable_password()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["new@example.test"]


def test_deactivated_person_frees_a_place(staff):
    # given
    subscription = SubscriptionFactory(package_code="standard")
    people = [
        person_add(actor=staff, institution=subscription.institution, username=n) for n in ("a", "b", "c")
    ]
    # when
    person_deactivate(actor=staff, person=people[0])
    # then
    assert person_add(actor=staff, institution=subscription.institution, username="d").is_active
    with pytest.raises(UserCapReached):
        person_reactivate(actor=staff, person=people[0])


def test_person_without_contract_is_refused(staff):
    # given
    institution = InstitutionFactory()
    # when / then
    with pytest.raises(NoActiveSubscription):
        person_add(actor=staff, institution=institution, username="x")


def test_vendor_role_cannot_be_given_to_institution_person(staff):
    # given
    subscription = SubscriptionFactory(package_code="standard")
    # when / then
    with pytest.raises(ValidationError):
        person_add(
            actor=staff, institution=subscription.institution, username="x", role=Role.SUPPORT_ENGINEER
        )


def test_regions_are_locked_on_silver_packages():
    # given
    subscription = SubscriptionFactory(package_code="professional")
    admin = PersonFactory(institution=subscription.institution, role=Role.INSTITUTION_ADMIN)
    # when
    with pytest.raises(PermissionDenied) as error:
        region_create(actor=admin, institution=subscription.institution, name="North")
    # then
    assert "Premium" in str(error.value)


def test_regions_are_open_on_gold_packages():
    # given
    subscription = SubscriptionFactory(package_code="premium")
    admin = PersonFactory(institution=subscription.institution, role=Role.INSTITUTION_ADMIN)
    # when
    region = region_create(actor=admin, institution=subscription.institution, name="North")
    # then
    assert region.institution == subscription.institution
