"""The anonymisation of a person (portal.privacy.anonymise): through the API, the people page and
`manage.py anonymise_person`."""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.management import call_command
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from organizations.audit_chain import chain_verify
from organizations.models import AuditEvent, User
from organizations.roles import Role
from reports.figures import full
from reports.periods import month_period
from reports.selectors import report_scope_institution
from tests.clients import login
from tests.factories import PersonFactory
from tests.factories.privacy import EMAIL, FIRST_NAME, FULL_NAME, LAST_NAME, PHONE, person_with_data
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db

IDENTIFIERS = (EMAIL, PHONE, FULL_NAME, FIRST_NAME, LAST_NAME)


def _text_columns(model):
    for field in model._meta.local_concrete_fields:
        if isinstance(field, models.CharField | models.TextField | models.JSONField):
            yield field.attname, field.attname
        elif isinstance(field, SearchVectorField) and connection.vendor == "postgresql":
            yield field.attname, Cast(field.attname, models.TextField())


def found_in_database(values) -> list[tuple[str, str, str]]:
    """(model, column, value) for every text column of every table (and the search index's
    vectors, on PostgreSQL) that holds one of the values, in any case."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for name, expression in _text_columns(model):
            rows = (
                model._base_manager.annotate(_probe=expression) if expression != name else model._base_manager
            )
            column = "_probe" if expression != name else name
            for value in values:
                # As written, and as JSON escapes it (SQLite keeps a JSONField's text as written).
                probe = Q(**{f"{column}__icontains": value}) | Q(
                    **{f"{column}__icontains": json.dumps(value)[1:-1]}
                )
                if rows.filter(probe).exists():
                    found.append((model._meta.label, name, value))
    return found


def found_in_media(values) -> list[tuple[str, str]]:
    found = []
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            content = path.read_bytes().lower()
            found += [(str(path), value) for value in values if value.lower().encode() in content]
    return found


def report_figures(institution) -> dict:
    scope = report_scope_institution(institution=institution)
    period = month_period(timezone.localdate().strftime("%Y-%m"))
    return full(scope.tickets, scope.surveys, scope.items, period, scope.subscription)


def test_anonymising_leaves_no_email_phone_or_name_in_any_table_or_file_and_the_figures_unchanged(
    admin, client_for, django_capture_on_commit_callbacks
):
    # given a person with data in every app, named in an engineer's reply, with an uploaded file
    data = person_with_data(admin)
    assert found_in_database(IDENTIFIERS) != []
    assert found_in_media(["Kvkkoglu"]) != []
    figures_before = report_figures(admin.institution)
    tickets_before = Ticket.objects.for_institution(admin.institution).count()
    # when the admin anonymises them (the files go once the change is committed)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(
            f"/api/v1/people/{data.person.pk}/anonymise/", {"confirm": "zeynep.k"}, format="json"
        )
    # then nothing names them any more, in the database, the search index or the media folder
    assert response.status_code == 200
    assert found_in_database(IDENTIFIERS) == []
    assert found_in_media([EMAIL, PHONE, FULL_NAME, "Kvkkoglu"]) == []
    # and every ticket and figure of the institution's report is as it was
    assert Ticket.objects.for_institution(admin.institution).count() == tickets_before
    assert report_figures(admin.institution) == figures_before


def test_anonymised_person_keeps_their_row_under_a_new_username_without_access(admin, client_for):
    # given
    data = person_with_data(admin)
    # when
    response = client_for(admin).post(
        f"/api/v1/people/{data.person.pk}/anonymise/", {"confirm": "zeynep.k"}, format="json"
    )
    # then
    person = User.objects.get(pk=data.person.pk)
    assert response.json() == {
        "id": person.pk,
        "username": f"anonim-{person.pk}",
        "files_deleted": 1,
        "rows_redacted": response.json()["rows_redacted"],
    }
    assert (person.first_name, person.last_name, person.email, person.is_active) == ("", "", "", False)
    assert not person.has_usable_password()
    assert Attachment.objects.filter(uploaded_by=person).count() == 0
    assert Ticket.objects.filter(requester=person).count() == 1


def test_anonymising_keeps_the_audit_chain_whole_and_records_the_act(admin, client_for):
    # given
    data = person_with_data(admin)
    # when
    client_for(admin).post(
        f"/api/v1/people/{data.person.pk}/anonymise/", {"confirm": "zeynep.k"}, format="json"
    )
    # then
    assert chain_verify()[1] is None
    assert AuditEvent.objects.filter(action="person.anonymise", target_id=data.person.pk).count() == 1


def test_wrong_confirmation_is_a_translated_400_and_changes_nothing(admin, client_for):
    # given
    data = person_with_data(admin)
    # when
    response = client_for(admin).post(
        f"/api/v1/people/{data.person.pk}/anonymise/",
        {"confirm": "zeynep"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="tr",
    )
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["confirm"] == [
        "Onaylamak için kişinin kullanıcı adını aynen yazın."
    ]
    assert User.objects.get(pk=data.person.pk).email == EMAIL


def test_admin_of_another_institution_gets_404(admin, client_for, stranger):
    # given
    other_admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=stranger.institution)
    # when
    response = client_for(other_admin).post(
        f"/api/v1/people/{admin.pk}/anonymise/", {"confirm": admin.username}, format="json"
    )
    # then
    assert response.status_code == 404
    assert User.objects.get(pk=admin.pk).username == admin.username


def test_customer_cannot_anonymise(customer, client_for, admin):
    # when
    response = client_for(customer).post(
        f"/api/v1/people/{admin.pk}/anonymise/", {"confirm": admin.username}, format="json"
    )
    # then
    assert response.status_code == 403


def test_admin_cannot_anonymise_themselves(admin, client_for):
    # when
    response = client_for(admin).post(
        f"/api/v1/people/{admin.pk}/anonymise/", {"confirm": admin.username}, format="json"
    )
    # then
    assert response.status_code == 422
    assert User.objects.get(pk=admin.pk).is_active


def test_command_anonymises_by_username(admin, capsys):
    # given
    data = person_with_data(admin)
    # when
    call_command("anonymise_person", "zeynep.k", "--yes")
    # then
    assert User.objects.get(pk=data.person.pk).username == f"anonim-{data.person.pk}"
    assert f"anonymised person {data.person.pk}" in capsys.readouterr().out


def test_command_refuses_an_unknown_username(db):
    # when / then
    with pytest.raises(Exception, match="No person with the username"):
        call_command("anonymise_person", "nobody-here", "--yes")


def test_people_page_links_each_person_to_their_data_protection_page(browser_client, admin):
    # given
    person = PersonFactory(role=Role.CUSTOMER, institution=admin.institution)
    login(browser_client, admin)
    # when
    response = browser_client.get(reverse("people"))
    # then
    assert reverse("person-privacy", args=[person.pk]) in response.content.decode()


def test_page_anonymises_only_after_the_username_is_typed(browser_client, admin):
    # given
    data = person_with_data(admin)
    login(browser_client, admin)
    url = reverse("person-privacy", args=[data.person.pk])
    # when the admin types something else, then the username
    refused = browser_client.post(url, {"confirm": "zeynep"})
    still = User.objects.get(pk=data.person.pk).email
    accepted = browser_client.post(url, {"confirm": "zeynep.k"})
    # then
    assert refused.status_code == 400
    assert "Type the person&#x27;s username exactly to confirm." in refused.content.decode()
    assert still == EMAIL
    assert accepted.status_code == 302
    assert User.objects.get(pk=data.person.pk).email == ""


def test_page_of_another_institutions_person_is_404(browser_client, admin, stranger):
    # given
    login(browser_client, admin)
    # when
    response = browser_client.get(reverse("person-privacy", args=[stranger.pk]))
    # then
    assert response.status_code == 404
