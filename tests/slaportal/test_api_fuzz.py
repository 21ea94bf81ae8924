"""Schemathesis against the live OpenAPI schema: every operation as each role — customer, institution
admin, support engineer, desk lead and vendor staff (package manager) — with generated valid and
invalid input, a bounded number of examples per operation. No answer may be a server error, and
every answer must be one the schema documents (status, content type and body)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from organizations.roles import Role
from organizations.services import region_create, unit_create
from slaportal.api.services import api_token_issue
from tests.factories import PersonFactory, SubscriptionFactory, TicketFactory
from tickets.services import ticket_escalate_to_development, ticket_log_call

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def _no_throttles(settings):
    # Hundreds of requests a minute from one person are the point here, not abuse.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}


@pytest.fixture
def _keep_test_connection():
    # The WSGI handler closes "obsolete" connections around each request, and inside the test's
    # transaction PostgreSQL's looks obsolete; Django's own test client unhooks this the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_data(db, _no_throttles, _keep_test_connection):
    """A Premium institution with a tree, people and tickets at every stage, and the desk."""
    subscription = SubscriptionFactory(package_code="premium")
    institution = subscription.institution
    admin = PersonFactory(institution=institution, role=Role.INSTITUTION_ADMIN)
    region = region_create(actor=admin, institution=institution, name="Kuzey")
    unit_create(actor=admin, institution=institution, region=region, name="Merkez")
    customer = PersonFactory(institution=institution, role=Role.CUSTOMER)
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    lead = PersonFactory(role=Role.DESK_LEAD)
    vendor = PersonFactory(role=Role.PACKAGE_MANAGER)
    first = TicketFactory(requester=customer)
    TicketFactory(requester=customer, kind="bug")
    ticket_log_call(actor=engineer, ticket=first, body="Called back.")
    ticket_escalate_to_development(actor=engineer, ticket=first)
    return {"admin": admin, "engineer": engineer, "customer": customer, "lead": lead, "vendor": vendor}


# Loaded through the WSGI app at collection: the schema view needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application()).exclude(
    # Revoking the token would turn the rest of the run into 401s; tests/organizations/test_api_auth.py covers it.
    path="/api/v1/auth/token/",
    method="DELETE",
)
# The desk has no institution: every organization endpoint answers it 403, which the admin's run
# and tests/organizations/test_api.py already cover.
desk_schema = schema.exclude(path_regex=r"^/api/v1/(regions|units|people)/")


def _fuzz(case, person):
    token = api_token_issue(actor=person).key
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_as_institution_admin(case, fuzz_data):
    _fuzz(case, fuzz_data["admin"])


@pytest.mark.django_db
@desk_schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_as_support_engineer(case, fuzz_data):
    _fuzz(case, fuzz_data["engineer"])


# The other roles run fewer examples each: the operations are the same, the permissions differ.
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_as_customer(case, fuzz_data):
    _fuzz(case, fuzz_data["customer"])


@pytest.mark.django_db
@desk_schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_as_desk_lead(case, fuzz_data):
    _fuzz(case, fuzz_data["lead"])


@pytest.mark.django_db
@desk_schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_as_vendor_staff(case, fuzz_data):
    _fuzz(case, fuzz_data["vendor"])
