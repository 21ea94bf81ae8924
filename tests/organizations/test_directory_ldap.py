"""Signing in through an institution's LDAP directory, against a real slapd the tests start."""

import socket
import time

import pytest
from rest_framework.test import APIClient

from organizations.models import AuditEvent, DirectoryAccount, User
from organizations.roles import Role
from organizations.tasks import directory_sync as directory_sync_task
from tests.factories import (
    DirectoryFactory,
    DirectoryMappingFactory,
    PersonFactory,
    SubscriptionFactory,
    UnitFactory,
)
from tests.factories.organizations import PASSWORD

from .conftest import (
    ADMIN_DN,
    ADMIN_PASSWORD,
    ADMINS_GROUP,
    GROUPS_DN,
    PEOPLE,
    PEOPLE_DN,
    USERS_GROUP,
    free_port,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(slapd):
    subscription = SubscriptionFactory(package_code="premium", user_cap=10)
    institution = subscription.institution
    unit = UnitFactory(region__institution=institution, name="Fen İşleri")
    directory = DirectoryFactory(
        institution=institution,
        domain="kurum.gov.tr",
        server_uri=slapd.uri,
        bind_dn=ADMIN_DN,
        bind_password=ADMIN_PASSWORD,
        user_base_dn=PEOPLE_DN,
        group_base_dn=GROUPS_DN,
    )
    DirectoryMappingFactory(directory=directory, group=ADMINS_GROUP, role=Role.INSTITUTION_ADMIN)
    DirectoryMappingFactory(directory=directory, group=USERS_GROUP, role=Role.CUSTOMER, unit=unit)
    directory.unit = unit
    return directory


def sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_first_sign_in_makes_the_person_with_the_role_and_unit_of_their_groups(client, directory):
    # given: ayse is in portal-admins and portal-users, nobody has signed in yet
    # when
    response = sign_in(client, "ayse@kurum.gov.tr", PEOPLE["ayse"][0])
    # then: the strongest role, the unit of the group that names one, her name and address
    assert response.status_code == 302
    person = User.objects.get(username="ayse@kurum.gov.tr")
    assert (person.role, person.institution, person.unit) == (
        Role.INSTITUTION_ADMIN,
        directory.institution,
        directory.unit,
    )
    assert (person.first_name, person.last_name, person.email) == ("Ayşe", "Yılmaz", "ayse@kurum.gov.tr")
    assert not person.has_usable_password()
    assert DirectoryAccount.objects.get(person=person).subject == "ayse"
    assert AuditEvent.objects.filter(action="person.directory_add", target_id=person.pk).exists()
    assert client.get("/").wsgi_request.user == person


def test_a_customer_group_gives_the_customer_role(client, directory):
    # when
    sign_in(client, "mehmet@kurum.gov.tr", PEOPLE["mehmet"][0])
    # then
    person = User.objects.get(username="mehmet@kurum.gov.tr")
    assert (person.role, person.unit) == (Role.CUSTOMER, directory.unit)


def test_first_sign_in_is_refused_with_the_cap_message_when_every_place_is_taken(client, directory):
    # given: a cap of one, taken
    directory.institution.subscriptions.update(user_cap=1)
    PersonFactory(institution=directory.institution)
    # when
    client.cookies["django_language"] = "en"
    response = sign_in(client, "mehmet@kurum.gov.tr", PEOPLE["mehmet"][0])
    # then
    assert response.status_code == 200
    assert "allows 1 people to receive support" in response.content.decode()
    assert not User.objects.filter(username="mehmet@kurum.gov.tr").exists()


def test_a_person_in_no_mapped_group_is_refused(client, directory):
    # when: zeynep is only in accounting, which gives nothing
    response = sign_in(client, "zeynep@kurum.gov.tr", PEOPLE["zeynep"][0])
    # then
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0] == (
        "Dizin hesabınız portala erişim veren hiçbir grupta değil. BT biriminize başvurun."
    )
    assert not User.objects.filter(username="zeynep@kurum.gov.tr").exists()


def test_a_wrong_password_is_refused(client, directory):
    # when
    response = sign_in(client, "mehmet@kurum.gov.tr", "wrong")
    # then
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.filter(username="mehmet@kurum.gov.tr").exists()


def test_repeated_wrong_directory_passwords_lock_the_name_out(client, settings, directory):
    # given: django-axes on, as in production
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "mehmet@kurum.gov.tr", "wrong")
    # when: even the right password
    response = sign_in(client, "mehmet@kurum.gov.tr", PEOPLE["mehmet"][0])
    # then
    assert response.status_code == 429
    assert not User.objects.filter(username="mehmet@kurum.gov.tr").exists()


def test_a_person_removed_from_the_directory_loses_access_at_the_next_sign_in(client, slapd, directory):
    # given: mehmet signed in once, then IT removed him
    sign_in(client, "mehmet@kurum.gov.tr", PEOPLE["mehmet"][0])
    client.logout()
    slapd.delete(f"uid=mehmet,{PEOPLE_DN}")
    # when
    response = sign_in(client, "mehmet@kurum.gov.tr", PEOPLE["mehmet"][0])
    # then
    assert response.status_code == 200
    person = User.objects.get(username="mehmet@kurum.gov.tr")
    assert not person.is_active
    assert AuditEvent.objects.filter(action="person.directory_remove", target_id=person.pk).exists()


def test_the_nightly_sync_takes_access_from_people_the_directory_no_longer_has(client, slapd, directory):
    # given: both signed in; then mehmet was removed and ayse left the admins group
    sign_in(client, "ayse@kurum.gov.tr", PEOPLE["ayse"][0])
    sign_in(client, "mehmet@kurum.gov.tr", PEOPLE["mehmet"][0])
    slapd.delete(f"uid=mehmet,{PEOPLE_DN}")
    slapd.ldif(
        f"dn: {ADMINS_GROUP}\nchangetype: modify\nreplace: member\nmember: uid=zeynep,{PEOPLE_DN}\n",
        tool="/usr/bin/ldapmodify",
    )
    # when: the beat's nightly task
    directory_sync_task()
    # then
    assert not User.objects.get(username="mehmet@kurum.gov.tr").is_active
    ayse = User.objects.get(username="ayse@kurum.gov.tr")
    assert (ayse.is_active, ayse.role) == (True, Role.CUSTOMER)


def test_a_local_password_is_refused_to_a_person_of_an_institution_with_a_directory(client, directory):
    # given: a person made before the directory, with a local password
    person = PersonFactory(institution=directory.institution)
    # when
    response = sign_in(client, person.username, PASSWORD)
    # then
    assert response.status_code == 200


def test_a_directory_that_is_down_gives_a_translated_error_at_once(client, directory):
    # given: nothing listens where the directory should be
    directory.server_uri = f"ldap://127.0.0.1:{free_port()}"
    directory.save()
    # when
    started = time.monotonic()
    response = sign_in(client, "mehmet@kurum.gov.tr", PEOPLE["mehmet"][0])
    # then
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert "Kurumunuzun dizini yanıt vermiyor" in response.content.decode()


def test_a_directory_that_does_not_answer_gives_the_error_within_its_timeout(client, directory):
    # given: a server that accepts the connection and never answers
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    directory.server_uri = f"ldap://127.0.0.1:{silent.getsockname()[1]}"
    directory.connect_timeout = 1
    directory.save()
    # when
    started = time.monotonic()
    client.cookies["django_language"] = "en"
    response = sign_in(client, "mehmet@kurum.gov.tr", PEOPLE["mehmet"][0])
    elapsed = time.monotonic() - started
    silent.close()
    # then
    assert elapsed < 5
    assert response.status_code == 200
    assert "directory is not answering" in response.content.decode()


def test_vendor_staff_sign_in_while_the_directory_is_down(client, directory):
    # given
    directory.server_uri = f"ldap://127.0.0.1:{free_port()}"
    directory.save()
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    # when
    response = sign_in(client, engineer.username, PASSWORD)
    # then
    assert response.status_code == 302


def test_the_nightly_sync_changes_nothing_while_the_directory_is_down(client, directory):
    # given: mehmet signed in, then the directory went away
    sign_in(client, "mehmet@kurum.gov.tr", PEOPLE["mehmet"][0])
    directory.server_uri = f"ldap://127.0.0.1:{free_port()}"
    directory.save()
    # when
    from organizations.ldap_directory import ldap_directory_sync_all_institutions

    results = ldap_directory_sync_all_institutions()
    # then
    assert results == {}
    assert User.objects.get(username="mehmet@kurum.gov.tr").is_active


def test_package_managers_may_set_up_directories_in_the_admin(client):
    # given
    manager = PersonFactory(role=Role.PACKAGE_MANAGER, is_staff=True)
    client.force_login(manager)
    # when
    response = client.get("/admin/organizations/directory/add/")
    # then
    assert manager.has_perm("organizations.change_directory")
    assert response.status_code == 200


def test_the_app_token_is_issued_for_a_directory_password(directory):
    # when
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "mehmet@kurum.gov.tr", "password": PEOPLE["mehmet"][0]}
    )
    # then
    assert response.status_code == 200
    assert User.objects.get(username="mehmet@kurum.gov.tr").auth_token.key == response.json()["token"]


def test_the_app_token_request_names_a_directory_that_is_down(directory):
    # given
    directory.server_uri = f"ldap://127.0.0.1:{free_port()}"
    directory.save()
    # when
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "mehmet@kurum.gov.tr", "password": PEOPLE["mehmet"][0]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "directory_unavailable"
    assert "directory is not answering" in response.json()["error"]["message"]


def test_a_local_account_of_the_institution_named_as_the_directory_names_the_person_becomes_theirs(
    client, directory
):
    # given: mehmet had a local account before the institution connected its directory
    local = PersonFactory(institution=directory.institution, username="mehmet@kurum.gov.tr")
    # when: he signs in with his directory password, typing his name in capitals
    response = sign_in(client, "Mehmet@kurum.gov.tr", PEOPLE["mehmet"][0])
    # then: the same person, now the directory's, whose local password no longer works
    assert response.status_code == 302, response.context["form"].errors
    person = User.objects.get(pk=local.pk)
    assert person.directory_account.subject == "mehmet"
    assert not person.has_usable_password()
    assert User.objects.filter(username__iexact="mehmet@kurum.gov.tr").count() == 1


def test_another_institutions_account_of_the_same_name_is_not_taken_over(client, directory):
    # given
    other = PersonFactory(username="mehmet@kurum.gov.tr")
    # when
    response = sign_in(client, "mehmet@kurum.gov.tr", PEOPLE["mehmet"][0])
    # then
    assert response.status_code == 200
    assert not DirectoryAccount.objects.filter(person=other).exists()
    assert User.objects.get(pk=other.pk).has_usable_password()
