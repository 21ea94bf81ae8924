import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pypdf
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from organizations.roles import Role
from organizations.services import monitoring_grant_give
from performance.services import usage_dirty_days_rollup, usage_events_ingest
from tests.factories import PersonFactory, SubscriptionFactory
from tests.factories.performance import usage_event

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Europe/Istanbul")


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def named(org, product):
    """Ayşe Yıldırım (unit 1) used the product 3 hours yesterday; Zeynep Öztürk is in unit 3."""
    org["ayse"].first_name, org["ayse"].last_name = "Ayşe", "Yıldırım"
    org["ayse"].save(update_fields=["first_name", "last_name"])
    org["zeynep"].first_name, org["zeynep"].last_name = "Zeynep", "Öztürk"
    org["zeynep"].save(update_fields=["first_name", "last_name"])
    day = timezone.localdate() - datetime.timedelta(days=1)

    def at(hour):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=IST).isoformat()

    events = [
        usage_event(username="ayse", kind="session_start", feature=None, occurred_at=at(9)),
        usage_event(username="ayse", kind="session_end", feature=None, occurred_at=at(12)),
    ]
    usage_events_ingest(key=org["key"], payload={"events": events})
    usage_dirty_days_rollup()
    return {"group_by": "person", "from": day.isoformat(), "to": day.isoformat()}


def test_pdf_has_the_names_with_turkish_letters_and_the_figures(client, org, named):
    # given
    client.force_login(org["admin"])
    # when
    response = client.get("/institution/performance/report.pdf", named)
    # then
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f'performance-person-{named["from"]}-{named["to"]}.pdf"')
    text = pdf_text(response.content)
    assert org["institution"].name in text
    assert "Performans raporu" in text
    assert "Ayşe Yıldırım" in text and "Zeynep Öztürk" in text
    # Ayşe's line: 0 tickets filed, 0 resolved, …, 1 active day, 3.0 hours, 1 session
    assert "3.0" in text or "3,0" in text


def test_pdf_is_in_the_readers_language(client, org, named):
    # given: the admin picked English with the language switch
    client.force_login(org["admin"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # when
    response = client.get("/institution/performance/report.pdf", named)
    # then
    text = pdf_text(response.content)
    assert "Performance report" in text and "Ayşe Yıldırım" in text


def test_unit_managers_pdf_shows_only_their_tree(client, org, named):
    # given: a manager of unit 1 with a monitoring grant
    manager = PersonFactory(username="unit-boss", role=Role.UNIT_MANAGER, unit=org["unit1"])
    monitoring_grant_give(actor=org["admin"], person=manager)
    client.force_login(manager)
    # when
    response = client.get("/institution/performance/report.pdf", named)
    # then
    text = pdf_text(response.content)
    assert "Ayşe Yıldırım" in text
    assert "Zeynep Öztürk" not in text and "mehmet" not in text


def test_pdf_is_refused_below_premium(client):
    # given
    institution = SubscriptionFactory(package_code="professional").institution
    client.force_login(PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution))
    # when
    response = client.get("/institution/performance/report.pdf")
    # then
    assert response.status_code == 403


def test_page_links_the_pdf_beside_the_xlsx(client, org, named):
    # given
    client.force_login(org["admin"])
    # when
    html = client.get("/institution/performance/", named).content.decode()
    # then
    assert "/institution/performance/export.xlsx?group_by=person" in html
    assert "/institution/performance/report.pdf?group_by=person" in html


def test_the_apps_fetch_the_pdf_and_workbook_through_the_reports_signed_urls(org, named):
    # given
    app = APIClient()
    app.force_authenticate(org["admin"])
    report = app.get("/api/v1/performance/", named).json()
    # when
    pdf = APIClient().get(report["pdf_url"])
    xlsx = APIClient().get(report["xlsx_url"])
    # then
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert "Ayşe Yıldırım" in pdf_text(pdf.content)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert "Ayşe Yıldırım" in {cell for row in sheet.iter_rows(values_only=True) for cell in row}


def test_the_file_endpoint_refuses_an_unknown_format_and_a_package_without_tracking(org, named):
    # given
    app = APIClient()
    app.force_authenticate(org["admin"])
    standard = APIClient()
    standard.force_authenticate(
        PersonFactory(
            role=Role.INSTITUTION_ADMIN, institution=SubscriptionFactory(package_code="standard").institution
        )
    )
    # when
    docx = app.get("/api/v1/performance/download/", named | {"format": "docx"})
    locked = standard.get("/api/v1/performance/download/", named | {"format": "pdf"})
    unsigned = APIClient().get("/api/v1/performance/download/", named | {"format": "pdf"})
    # then
    assert (docx.status_code, list(docx.json()["error"]["fields"])) == (400, ["format"])
    assert (locked.status_code, locked.json()["error"]["code"]) == (403, "feature_locked")
    assert unsigned.status_code in (401, 403)
