import pytest
from django.conf import settings
from django.db.models import F

from organizations.roles import Role
from packages.models import Allotment
from tests.factories import PersonFactory, SubscriptionFactory


@pytest.fixture
def browser_client(client):
    """A client that reads the pages in English, so assertions read like the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def login(client, person):
    client.force_login(person)
    return client



@pytest.fixture
def standard():
    return SubscriptionFactory(package_code="standard")



@pytest.fixture
def institution_admin(premium):
    return PersonFactory(role=Role.INSTITUTION_ADMIN, institution=premium.institution)



@pytest.fixture
def lead(db):
    return PersonFactory(role=Role.DESK_LEAD)


@pytest.fixture
def package_manager(db):
    return PersonFactory(role=Role.PACKAGE_MANAGER, is_staff=True, is_superuser=True)


@pytest.fixture
def stranger(db):
    """A customer of another institution."""
    subscription = SubscriptionFactory(package_code="premium")
    return PersonFactory(role=Role.CUSTOMER, institution=subscription.institution)


def exhaust(subscription, channel="written"):
    Allotment.objects.filter(subscription=subscription, channel=channel).update(used=F("allotment"))
