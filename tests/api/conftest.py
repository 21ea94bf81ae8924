import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from organizations.roles import Role
from slaportal.api.services import api_token_issue
from tests.factories import PersonFactory


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for():
    """An API client signed in as the person with their app token, as the apps do."""

    def make(person) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(actor=person).key}")
        return client

    return make




@pytest.fixture
def admin(premium):
    return PersonFactory(institution=premium.institution, role=Role.INSTITUTION_ADMIN)

