"""A person's data export (portal.privacy.export): GET /api/v1/me/export/, GET
/api/v1/people/{id}/export/ and the people page's download."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from organizations.models import AuditEvent
from organizations.roles import Role
from tests.clients import login
from tests.factories import PersonFactory
from tests.factories.privacy import ATTACHMENT_TEXT, EMAIL, FULL_NAME, person_with_data

pytestmark = pytest.mark.django_db


def _archive(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def test_me_export_is_a_zip_of_the_callers_data_and_files(admin, client_for):
    # given
    data = person_with_data(admin)
    # when
    response = client_for(data.person).get("/api/v1/me/export/")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment;" in response["Content-Disposition"]
    archive = _archive(response)
    person = _json(archive, "person.json")
    assert person["person"]["email"] == EMAIL
    assert person["counts"] == {
        "tickets": 1,
        "messages": 1,
        "surveys": 1,
        "training_registrations": 1,
        "usage_events": 1,
        "audit_entries": person["counts"]["audit_entries"],
        "files": 1,
    }
    assert [t["subject"] for t in _json(archive, "tickets.json")] == ["Harita katmanı açılmıyor"]
    assert [m["body"] for m in _json(archive, "messages.json")] == [f"Teşekkürler. {FULL_NAME}"]
    assert [s["score"] for s in _json(archive, "surveys.json")] == [5]
    assert len(_json(archive, "training_registrations.json")) == 1
    assert [e["person_ref"] for e in _json(archive, "usage_events.json")] == ["zeynep.k"]
    assert "person.add" in {a["action"] for a in _json(archive, "audit_entries.json")}
    (file_entry,) = _json(archive, "files.json")
    assert archive.read(file_entry["path"]) == ATTACHMENT_TEXT


def test_me_export_holds_nothing_of_other_people(admin, client_for):
    # given
    person_with_data(admin)
    colleague = PersonFactory(role=Role.CUSTOMER, institution=admin.institution)
    # when
    archive = _archive(client_for(colleague).get("/api/v1/me/export/"))
    # then
    assert _json(archive, "tickets.json") == []
    assert _json(archive, "files.json") == []
    assert _json(archive, "person.json")["person"]["username"] == colleague.username


def test_admin_exports_one_of_their_people_and_the_export_is_audited(admin, client_for):
    # given
    data = person_with_data(admin)
    # when
    response = client_for(admin).get(f"/api/v1/people/{data.person.pk}/export/")
    # then
    assert response.status_code == 200
    assert _json(_archive(response), "person.json")["person"]["username"] == "zeynep.k"
    assert (
        AuditEvent.objects.filter(action="person.export", actor=admin, target_id=data.person.pk).count() == 1
    )


def test_customer_cannot_export_another_person(customer, client_for, admin):
    # when
    response = client_for(customer).get(f"/api/v1/people/{admin.pk}/export/")
    # then
    assert response.status_code == 403


def test_admin_of_another_institution_gets_404(admin, client_for, stranger):
    # given
    other_admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=stranger.institution)
    # when
    response = client_for(other_admin).get(f"/api/v1/people/{admin.pk}/export/")
    # then
    assert response.status_code == 404


def test_me_export_needs_a_signed_in_person(client):
    # when
    response = client.get("/api/v1/me/export/")
    # then
    assert response.status_code == 401


def test_people_page_downloads_the_persons_zip(browser_client, admin):
    # given
    data = person_with_data(admin)
    login(browser_client, admin)
    # when
    page = browser_client.get(reverse("person-privacy", args=[data.person.pk]))
    response = browser_client.get(reverse("person-privacy-export", args=[data.person.pk]))
    # then
    assert reverse("person-privacy-export", args=[data.person.pk]) in page.content.decode()
    assert response.status_code == 200
    assert _json(_archive(response), "person.json")["person"]["email"] == EMAIL


def test_download_of_another_institutions_person_is_404(browser_client, admin, stranger):
    # given
    login(browser_client, admin)
    # when
    response = browser_client.get(reverse("person-privacy-export", args=[stranger.pk]))
    # then
    assert response.status_code == 404


def test_customer_gets_403_on_the_page(browser_client, customer, admin):
    # given
    login(browser_client, customer)
    # when
    response = browser_client.get(reverse("person-privacy", args=[admin.pk]))
    # then
    assert response.status_code == 403
