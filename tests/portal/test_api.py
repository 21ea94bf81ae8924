"""The destruction records in the API: GET /api/v1/vendor/destruction-records/ and its PDF."""

import io

import pytest
from pypdf import PdfReader

from organizations.roles import Role
from portal.privacy.retention import retention_apply
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_desk_lead_lists_the_records_with_their_lines(client_for, lead):
    # given
    record, _results = retention_apply()
    # when
    response = client_for(lead).get("/api/v1/vendor/destruction-records/")
    # then
    assert response.status_code == 200
    (listed,) = response.json()
    assert listed["id"] == record.pk
    assert listed["run_by"] is None
    assert {line["category"] for line in listed["lines"]} == {
        "ticket_texts",
        "attachments",
        "usage_events",
        "audit_events",
    }


def test_package_manager_downloads_a_record_as_pdf(client_for, package_manager):
    # given
    record, _results = retention_apply()
    # when
    response = client_for(package_manager).get(
        f"/api/v1/vendor/destruction-records/{record.pk}/pdf/", HTTP_ACCEPT_LANGUAGE="tr"
    )
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "İmha tutanağı" in text


@pytest.mark.parametrize("role", [Role.INSTITUTION_ADMIN, Role.CUSTOMER, Role.SUPPORT_ENGINEER])
def test_others_are_refused_the_records(client_for, role):
    # given
    record, _results = retention_apply()
    person = PersonFactory(role=role)
    # when
    listed = client_for(person).get("/api/v1/vendor/destruction-records/")
    pdf = client_for(person).get(f"/api/v1/vendor/destruction-records/{record.pk}/pdf/")
    # then
    assert (listed.status_code, pdf.status_code) == (403, 403)


def test_missing_record_is_404(client_for, lead):
    # when
    response = client_for(lead).get("/api/v1/vendor/destruction-records/999999/pdf/")
    # then
    assert response.status_code == 404
