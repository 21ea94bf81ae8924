import datetime
import io
import random

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from organizations.models import AuditEvent, Institution
from organizations.roles import Role
from reports.periods import period_from_query
from reports.selectors import report_scope_all_institutions, report_scope_institution
from reports.services import report_figures
from reports.vendor import quota_by_package
from tests.factories import PersonFactory, SubscriptionFactory

from . import dataset

pytestmark = pytest.mark.django_db
NOVEMBER = "period=custom&start=2026-11-01&end=2026-11-30"


@pytest.fixture
def data():
    return dataset.build()


@pytest.fixture
def today():
    with time_machine.travel(dataset.TODAY, tick=False):
        yield


@pytest.mark.parametrize("role", [Role.PACKAGE_MANAGER, Role.DESK_LEAD])
def test_vendor_staff_see_every_institution(data, today, client, role):
    # given
    client.force_login(PersonFactory(role=role))
    # when
    response = client.get(reverse("vendor-report-page") + "?" + NOVEMBER)
    # then A's five and B's one ticket, both institutions ranked, the engineer compared
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="tickets_filed">6<' in html
    ranked = html.split('data-testid="ranked-breaches"')[1].split("</table>")[0]
    assert ranked.index("Ankara Büyükşehir Belediyesi") < ranked.index(data["other"].name)
    engineers = html.split('data-testid="engineers"')[1].split("</table>")[0]
    assert data["engineer"].username in engineers
    assert "B kurumunun gizli yorumu" in html


def test_vendor_filter_by_institution(data, today, client):
    client.force_login(PersonFactory(role=Role.PACKAGE_MANAGER))
    response = client.get(
        reverse("vendor-report-page") + f"?{NOVEMBER}&institution={data['other'].slug}&package=premium"
    )
    html = response.content.decode()
    assert 'data-figure="tickets_filed">1<' in html
    assert "Harika, teşekkürler" not in html
    assert f"institution={data['other'].slug}" in html


@pytest.mark.parametrize("role", [Role.SUPPORT_ENGINEER, Role.INSTITUTION_ADMIN, Role.CUSTOMER])
def test_others_may_not_see_the_vendor_view(data, today, client, role):
    client.force_login(PersonFactory(role=role))
    assert client.get(reverse("vendor-report-page")).status_code == 403


def test_vendor_chart_follows_the_filter(data, today, client):
    client.force_login(PersonFactory(role=Role.DESK_LEAD))
    url = reverse("vendor-report-chart", args=["filed-by-kind"])
    response = client.get(f"{url}?from=2026-11-01&to=2026-11-30&institution={data['other'].slug}")
    assert response.status_code == 200
    assert b"<svg" in response.content


# --- the vendor's report: from/to, files, one institution's report, figures summed ---------------

QUARTER = "from=2026-09-01&to=2026-11-30"


def _generate_more(data, seed: int) -> list:
    """Tickets of three more institutions on three packages, some answered, resolved, breached or
    escalated, spread over the quarter: a generated load beside the hand-computed one."""
    rng = random.Random(seed)
    institutions = []
    for package in ("standard", "premium_plus", "professional"):
        with time_machine.travel(dataset.at(9, 1, 9), tick=False):
            subscription = SubscriptionFactory(package_code=package, starts_on=datetime.date(2026, 9, 1))
        requester = PersonFactory(role=Role.CUSTOMER, institution=subscription.institution)
        institutions.append(subscription.institution)
        for n in range(rng.randint(3, 6)):
            moment = dataset.at(rng.choice([9, 10, 11]), rng.randint(1, 28), rng.randint(8, 22))
            ticket = dataset._file(
                requester, moment, kind=rng.choice(["question", "problem", "bug"]), product=None
            )
            if n % 3 == 0:
                dataset._breach(ticket, ticket.first_response_due_at + datetime.timedelta(seconds=1))
            if n % 2 == 0:
                dataset._reply(data["engineer"], ticket, moment + datetime.timedelta(minutes=30))
                dataset._resolve(data["engineer"], ticket, moment + datetime.timedelta(hours=5))
    return institutions


def test_vendor_figures_equal_the_institution_reports_summed(data, today):
    # given: the hand-computed two institutions and three generated ones
    _generate_more(data, seed=26)
    period = period_from_query("2026-09-01", "2026-11-30")
    manager = PersonFactory(role=Role.PACKAGE_MANAGER)
    everyone = report_scope_all_institutions(person=manager)
    institutions = Institution.objects.all()
    # when
    vendor = report_figures(scope=everyone, period=period)
    each = [
        report_figures(scope=report_scope_institution(institution=i), period=period) for i in institutions
    ]
    quota = quota_by_package(scope=everyone, today=dataset.TODAY.date())
    # then
    for key in ("tickets_filed", "tickets_resolved", "breaches"):
        assert vendor[key] == sum(figures[key] for figures in each), key
    assert vendor["satisfaction"]["responses"] == sum(f["satisfaction"]["responses"] for f in each)
    for channel in ("written", "phone", "onsite_days"):
        used = sum(q["used"] for f in each for q in f["quota"] if q["channel"] == channel)
        assert sum(q["used"] for q in quota if q["channel"] == channel) == used, channel
    assert vendor["tickets_filed"] > 10


def test_vendor_page_reads_from_and_to_like_the_institution_report(data, today, client):
    # given
    client.force_login(PersonFactory(role=Role.PACKAGE_MANAGER))
    # when
    html = client.get(reverse("vendor-report-page") + "?from=2026-11-01&to=2026-11-30").content.decode()
    # then
    assert 'data-figure="tickets_filed">6<' in html
    assert 'data-testid="quota-by-package"' in html
    assert 'data-testid="development-open"' in html


def test_vendor_downloads_the_quarter_as_pdf_and_xlsx(data, today, browser_client):
    client = browser_client
    # given
    client.force_login(PersonFactory(role=Role.PACKAGE_MANAGER))
    # when
    pdf = client.get(reverse("vendor-report-download", args=["pdf"]) + "?" + QUARTER)
    xlsx = client.get(reverse("vendor-report-download", args=["xlsx"]) + "?" + QUARTER)
    # then
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert {"Quota by package", "Open development items", "Engineers", "Summary"} <= set(book.sheetnames)
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Tickets filed"] == 7


def test_vendor_download_for_one_institution(data, today, browser_client):
    client = browser_client
    # given
    client.force_login(PersonFactory(role=Role.DESK_LEAD))
    # when
    xlsx = client.get(
        reverse("vendor-report-download", args=["xlsx"]) + f"?{QUARTER}&institution={data['other'].pk}"
    )
    # then
    summary = {
        row[0]: row[1]
        for row in load_workbook(io.BytesIO(xlsx.content))["Summary"].iter_rows(values_only=True)
    }
    assert summary["Tickets filed"] == 1


def test_vendor_staff_open_an_institutions_report_and_it_is_audited(data, today, client):
    # given
    manager = PersonFactory(role=Role.PACKAGE_MANAGER)
    client.force_login(manager)
    institution = data["other"]
    # when
    response = client.get(
        reverse("report-page") + f"?from=2026-11-01&to=2026-11-30&institution={institution.pk}"
    )
    # then
    assert response.status_code == 200
    assert 'data-figure="tickets_filed">1<' in response.content.decode()
    row = AuditEvent.objects.get(action="report.vendor_read", actor=manager)
    assert (row.institution_id, row.after["what"], row.after["from"]) == (
        institution.pk,
        "page",
        "2026-11-01",
    )


def test_vendor_staff_read_an_institutions_summary_and_it_is_audited(data, today, client_for):
    # given
    lead = PersonFactory(role=Role.DESK_LEAD)
    institution = data["customer"].institution
    # when
    response = client_for(lead).get(
        f"/api/v1/reports/summary/?institution={institution.pk}&from=2026-11-01&to=2026-11-30"
    )
    # then
    assert response.status_code == 200
    assert response.json()["tickets_filed"] == dataset.EXPECTED["tickets_filed"]
    assert (
        AuditEvent.objects.filter(action="report.vendor_read", actor=lead, institution=institution).count()
        == 1
    )


def test_summary_of_another_institution_is_404_for_the_customer_side(data, today, client_for):
    # given
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=data["customer"].institution)
    # when
    response = client_for(admin).get(
        f"/api/v1/reports/summary/?institution={data['other'].pk}&from=2026-11-01&to=2026-11-30"
    )
    # then
    assert response.status_code == 404


def test_support_engineer_may_not_read_an_institutions_summary(data, today, client_for):
    # given
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    # when
    response = client_for(engineer).get(
        f"/api/v1/reports/summary/?institution={data['other'].pk}&from=2026-11-01&to=2026-11-30"
    )
    # then
    assert response.status_code == 403


# --- the vendor's report over the API -------------------------------------------------------------


def _app(person):
    client = APIClient()
    client.force_authenticate(person)
    return client


@pytest.mark.parametrize("role", [Role.PACKAGE_MANAGER, Role.DESK_LEAD])
def test_vendor_report_over_the_api_has_the_pages_figures(data, today, role):
    # when
    body = _app(PersonFactory(role=role)).get("/api/v1/vendor/report/?from=2026-11-01&to=2026-11-30").json()
    # then A's five and B's one ticket, both ranked, the engineer compared
    assert body["summary"]["tickets_filed"] == 6
    ranked = [row["institution"] for row in body["ranked_by_breaches"]]
    assert ranked.index("Ankara Büyükşehir Belediyesi") < ranked.index(data["other"].name)
    assert data["engineer"].username in [row["engineer"] for row in body["engineers"]]
    assert len(body["trend"]) >= 1 and body["quota_by_package"]


def test_vendor_report_over_the_api_follows_the_filter_and_its_files_open(data, today):
    # given
    app = _app(PersonFactory(role=Role.PACKAGE_MANAGER))
    # when
    body = app.get(
        f"/api/v1/vendor/report/?from=2026-11-01&to=2026-11-30&institution={data['other'].slug}"
    ).json()
    pdf = APIClient().get(body["pdf_url"])
    xlsx = APIClient().get(body["xlsx_url"])
    # then
    assert body["summary"]["tickets_filed"] == 1
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames


@pytest.mark.parametrize("role", [Role.SUPPORT_ENGINEER, Role.INSTITUTION_ADMIN, Role.CUSTOMER])
def test_others_may_not_read_the_vendor_report_over_the_api(data, today, role):
    # when
    response = _app(PersonFactory(role=role)).get("/api/v1/vendor/report/?from=2026-11-01&to=2026-11-30")
    # then
    assert response.status_code == 403


def test_vendor_report_api_refuses_a_bad_range_and_an_unknown_institution(data, today):
    # given
    app = _app(PersonFactory(role=Role.DESK_LEAD))
    # when
    reversed_range = app.get("/api/v1/vendor/report/?from=2026-11-30&to=2026-11-01")
    unknown = app.get("/api/v1/vendor/report/?from=2026-11-01&to=2026-11-30&institution=yok-boyle-bir-kurum")
    # then
    assert (reversed_range.status_code, unknown.status_code) == (400, 404)
