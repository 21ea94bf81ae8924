import pytest

from organizations.roles import Role
from tests.factories import PersonFactory, SubscriptionFactory


@pytest.fixture
def staff(db):
    """Vendor staff who take bookings."""
    return PersonFactory(role=Role.PACKAGE_MANAGER, first_name="Berk", last_name="Kaya")


@pytest.fixture
def trainer(db):
    return PersonFactory(role=Role.SUPPORT_ENGINEER, first_name="Deniz", last_name="Ak")


@pytest.fixture
def standard_admin(db):
    subscription = SubscriptionFactory(package_code="standard")
    return PersonFactory(role=Role.INSTITUTION_ADMIN, institution=subscription.institution)


@pytest.fixture
def stranger_admin(db):
    """The institution admin of another Premium institution."""
    subscription = SubscriptionFactory(package_code="premium")
    return PersonFactory(role=Role.INSTITUTION_ADMIN, institution=subscription.institution)
