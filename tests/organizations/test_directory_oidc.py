"""Signing in through an institution's OpenID Connect provider, against a small provider the tests
run (tests/organizations/oidc_provider.py)."""

import time
from urllib.parse import urlparse

import pytest
import requests

from organizations.models import DirectoryAccount, User
from organizations.roles import Role
from tests.factories import (
    DirectoryFactory,
    DirectoryMappingFactory,
    PersonFactory,
    SubscriptionFactory,
    UnitFactory,
)

from .conftest import free_port
from .oidc_provider import Provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    server = Provider(client_id="slaportal", client_secret="client-secret-1").start()
    yield server
    server.stop()


@pytest.fixture
def directory(provider):
    subscription = SubscriptionFactory(package_code="premium", user_cap=10)
    institution = subscription.institution
    unit = UnitFactory(region__institution=institution)
    directory = DirectoryFactory(
        institution=institution,
        kind="oidc",
        domain="belediye.gov.tr",
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
    )
    DirectoryMappingFactory(directory=directory, group="portal-yoneticiler", role=Role.REGION_MANAGER)
    DirectoryMappingFactory(directory=directory, group="portal-kullanicilar", role=Role.CUSTOMER, unit=unit)
    directory.unit = unit
    return directory


def sign_in(client, email):
    """The sign-in page's second form, the provider's authorize step, and the way back."""
    start = client.get("/accounts/oidc/start/", {"directory-email": email})
    if not start["Location"].startswith("http://127.0.0.1"):
        return start
    authorized = requests.get(start["Location"], allow_redirects=False, timeout=5)
    callback = urlparse(authorized.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_first_sign_in_makes_the_person_with_the_role_and_unit_of_their_claims(client, provider, directory):
    # given
    provider.sign_in_as(
        sub="c0ffee-42",
        email="elif@belediye.gov.tr",
        given_name="Elif",
        family_name="Şahin",
        groups=["portal-kullanicilar", "portal-yoneticiler"],
    )
    # when
    response = sign_in(client, "elif@belediye.gov.tr")
    # then: the strongest role, the unit of the group that names one (and its region)
    assert response.status_code == 302
    assert response["Location"] == "/"
    person = User.objects.get(username="elif@belediye.gov.tr")
    assert (person.role, person.institution, person.unit, person.region) == (
        Role.REGION_MANAGER,
        directory.institution,
        directory.unit,
        directory.unit.region,
    )
    assert (person.first_name, person.last_name) == ("Elif", "Şahin")
    assert DirectoryAccount.objects.get(person=person).subject == "c0ffee-42"
    assert client.get("/").wsgi_request.user == person


def test_a_later_sign_in_follows_the_claims(client, provider, directory):
    # given: signed in once as a region manager, then moved out of that group
    provider.sign_in_as(sub="s-1", email="can@belediye.gov.tr", groups=["portal-yoneticiler"])
    sign_in(client, "can@belediye.gov.tr")
    client.logout()
    provider.sign_in_as(sub="s-1", email="can@belediye.gov.tr", groups=["portal-kullanicilar"])
    # when
    sign_in(client, "can@belediye.gov.tr")
    # then
    assert User.objects.get(username="can@belediye.gov.tr").role == Role.CUSTOMER


def test_first_sign_in_is_refused_with_the_cap_message_when_every_place_is_taken(client, provider, directory):
    # given
    directory.institution.subscriptions.update(user_cap=1)
    PersonFactory(institution=directory.institution)
    provider.sign_in_as(sub="s-2", email="deniz@belediye.gov.tr", groups=["portal-kullanicilar"])
    client.cookies["django_language"] = "en"
    # when
    response = sign_in(client, "deniz@belediye.gov.tr")
    # then
    assert response["Location"] == "/accounts/login/"
    assert "allows 1 people to receive support" in client.get("/accounts/login/").content.decode()
    assert not User.objects.filter(username="deniz@belediye.gov.tr").exists()


def test_a_person_whose_claims_lost_every_group_loses_access(client, provider, directory):
    # given
    provider.sign_in_as(sub="s-3", email="ali@belediye.gov.tr", groups=["portal-kullanicilar"])
    sign_in(client, "ali@belediye.gov.tr")
    client.logout()
    provider.sign_in_as(sub="s-3", email="ali@belediye.gov.tr", groups=["muhasebe"])
    # when
    response = sign_in(client, "ali@belediye.gov.tr")
    # then
    assert response["Location"] == "/accounts/login/"
    assert not User.objects.get(username="ali@belediye.gov.tr").is_active


def test_an_address_of_no_directory_goes_back_to_the_sign_in_page(client, directory):
    # when
    response = client.get("/accounts/oidc/start/", {"directory-email": "someone@elsewhere.example"})
    # then
    assert response["Location"] == "/accounts/login/"


def test_a_provider_that_is_down_gives_a_translated_error_at_once(client, directory):
    # given
    directory.issuer = f"http://127.0.0.1:{free_port()}"
    directory.save()
    # when
    started = time.monotonic()
    response = client.get("/accounts/oidc/start/", {"directory-email": "elif@belediye.gov.tr"})
    # then
    assert time.monotonic() - started < 5
    assert response["Location"] == "/accounts/login/"
    assert "Kurumunuzun dizini yanıt vermiyor" in client.get("/accounts/login/").content.decode()


def test_the_sign_in_page_offers_the_institution_sign_in_once_an_institution_has_a_provider(
    client, directory
):
    # when
    response = client.get("/accounts/login/")
    # then
    assert b'data-testid="directory-sign-in"' in response.content


def test_the_sign_in_page_offers_no_institution_sign_in_without_a_provider(client, db):
    # when
    response = client.get("/accounts/login/")
    # then
    assert b'data-testid="directory-sign-in"' not in response.content
