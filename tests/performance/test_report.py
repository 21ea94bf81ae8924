import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from organizations.roles import Role
from organizations.services import monitoring_grant_give
from performance.figures import FigureProvider, figure_provider_register, figure_provider_unregister
from performance.selectors import performance_report, performance_report_institution
from performance.services import usage_dirty_days_rollup, usage_events_ingest
from slaportal.api.services import api_token_issue
from tests.factories import PersonFactory, SubscriptionFactory, TicketFactory
from tests.factories.performance import usage_event

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Europe/Istanbul")


def api_as(person) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(actor=person).key}")
    return client


def labels(report) -> set[str]:
    return {row.label for row in report.rows}


def this_month():
    today = timezone.localdate()
    return today.replace(day=1), today


@pytest.fixture
def unit_manager(org):
    manager = PersonFactory(username="unit-boss", role=Role.UNIT_MANAGER, unit=org["unit1"])
    monitoring_grant_give(actor=org["admin"], person=manager)
    return manager


@pytest.fixture
def usage(org, product):
    """Yesterday: Ayşe 2 h in two sessions, Zeynep 1 h; rolled up."""
    day = timezone.localdate() - datetime.timedelta(days=1)

    def at(hour):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=IST).isoformat()

    events = [
        usage_event(username="ayse", kind="session_start", feature=None, occurred_at=at(9)),
        usage_event(username="ayse", kind="feature_used", feature="export", occurred_at=at(9)),
        usage_event(username="ayse", kind="session_end", feature=None, occurred_at=at(10)),
        usage_event(username="ayse", kind="session_start", feature=None, occurred_at=at(11), version="9.2"),
        usage_event(username="ayse", kind="session_end", feature=None, occurred_at=at(12), version="9.2"),
        usage_event(username="zeynep", kind="session_start", feature=None, occurred_at=at(9)),
        usage_event(username="zeynep", kind="session_end", feature=None, occurred_at=at(10)),
    ]
    usage_events_ingest(key=org["key"], payload={"events": events})
    usage_dirty_days_rollup()
    return day


def test_admin_reads_everyone_of_the_institution_only(org):
    # given
    PersonFactory(username="elsewhere", institution=SubscriptionFactory(package_code="premium").institution)
    start, end = this_month()
    # when
    report = performance_report(actor=org["admin"], group_by="person", start=start, end=end)
    # then
    assert {"ayse", "mehmet", "zeynep"} <= labels(report)
    assert "elsewhere" not in labels(report)


def test_institution_report_without_a_reader_is_the_admins(org, unit_manager):
    # given
    PersonFactory(username="elsewhere", institution=SubscriptionFactory(package_code="premium").institution)
    start, end = this_month()
    # when
    report = performance_report_institution(
        institution=org["institution"], group_by="person", start=start, end=end
    )
    # then
    assert labels(report) == labels(
        performance_report(actor=org["admin"], group_by="person", start=start, end=end)
    )
    assert "elsewhere" not in labels(report) and "unit-boss" in labels(report)


def test_unit_manager_reads_themselves_and_their_unit(org, unit_manager):
    # given
    start, end = this_month()
    # when
    report = performance_report(actor=unit_manager, group_by="person", start=start, end=end)
    # then
    assert labels(report) == {"ayse", "unit-boss"}


def test_manager_without_a_grant_reads_only_themselves(org):
    # given
    manager = PersonFactory(username="region-boss", role=Role.REGION_MANAGER, region=org["region1"])
    start, end = this_month()
    # when
    report = performance_report(actor=manager, group_by="person", start=start, end=end)
    # then
    assert labels(report) == {"region-boss"}


def test_customer_reads_only_their_own_figures(org):
    # given
    start, end = this_month()
    # when
    report = performance_report(actor=org["mehmet"], group_by="unit", start=start, end=end)
    # then
    assert [row.key for row in report.rows] == [org["unit2"].pk]


def test_ticket_figures_per_person(org):
    # given
    TicketFactory(requester=org["ayse"])
    TicketFactory(requester=org["ayse"])
    TicketFactory(requester=org["zeynep"])
    start, end = this_month()
    # when
    report = performance_report(actor=org["admin"], group_by="person", start=start, end=end)
    # then
    by_key = {row.key: row.tickets for row in report.rows}
    assert by_key[org["ayse"].pk]["filed"] == 2
    assert by_key[org["ayse"].pk]["channels"]["written"] == 2
    assert by_key[org["ayse"].pk]["first_response"] == {"met": 0, "missed": 0, "pending": 2}
    assert by_key[org["zeynep"].pk]["filed"] == 1
    assert by_key[org["mehmet"].pk]["filed"] == 0


def test_usage_figures_per_region_from_the_daily_figures(org, usage):
    # when
    report = performance_report(actor=org["admin"], group_by="region", start=usage, end=usage)
    # then
    by_key = {row.key: row.usage for row in report.rows}
    region1, region2 = by_key[org["region1"].pk], by_key[org["region2"].pk]
    assert (region1["active_days"], region1["hours"], region1["sessions"]) == (1, 2.0, 2)
    assert region1["top_features"] == [{"product": "netcad", "feature": "export", "uses": 1}]
    assert [(v["product"], v["version"]) for v in region1["versions"]] == [
        ("netcad", "9.1"),
        ("netcad", "9.2"),
    ]
    assert (region2["active_days"], region2["hours"], region2["sessions"]) == (1, 1.0, 1)


def test_report_costs_the_same_queries_for_more_people(org, usage):
    # given
    start, end = this_month()
    with CaptureQueriesContext(connection) as few:
        performance_report(actor=org["admin"], group_by="person", start=start, end=end)
    for n in range(10):
        PersonFactory(username=f"extra{n}", unit=org["unit3"])
    # when
    with CaptureQueriesContext(connection) as many:
        performance_report(actor=org["admin"], group_by="person", start=start, end=end)
    # then
    assert len(many) == len(few)


def test_registered_figure_providers_become_columns(org):
    # given
    def trainings(*, institution, people, group_field, start, end):
        return dict.fromkeys(people.values_list(group_field, flat=True), 3)

    figure_provider_register(FigureProvider(key="example", label="Example", collect=trainings))
    start, end = this_month()
    try:
        # when
        response = api_as(org["admin"]).get("/api/v1/performance/", {"group_by": "person"})
    finally:
        figure_provider_unregister("example")
    # then
    body = response.json()
    assert {"key": "example", "label": "Example"} in body["figures"]
    assert {row["figures"]["example"] for row in body["rows"]} == {3}


def test_api_report(org, usage):
    # given
    client = api_as(org["admin"])
    # when
    response = client.get(
        "/api/v1/performance/", {"group_by": "unit", "from": usage.isoformat(), "to": usage.isoformat()}
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["group_by"], body["from"], body["to"]) == ("unit", usage.isoformat(), usage.isoformat())
    unit1 = next(row for row in body["rows"] if row["key"] == org["unit1"].pk)
    assert unit1["usage"]["hours"] == 2.0 and unit1["tickets"]["filed"] == 0


def test_api_refuses_a_bad_period(org):
    # given
    client = api_as(org["admin"])
    # when
    response = client.get(
        "/api/v1/performance/", {"from": "2026-05-02", "to": "2026-05-01", "group_by": "team"}
    )
    # then
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"group_by"}


@pytest.mark.parametrize("package", ["standard", "professional"])
def test_api_is_feature_locked_below_premium(package):
    # given
    institution = SubscriptionFactory(package_code=package).institution
    client = api_as(PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution))
    # when
    response = client.get("/api/v1/performance/")
    # then
    assert response.status_code == 403 and response.json()["error"]["code"] == "feature_locked"


def test_api_refuses_vendor_staff(db):
    # given
    client = api_as(PersonFactory(role=Role.SUPPORT_ENGINEER))
    # when
    response = client.get("/api/v1/performance/")
    # then
    assert response.status_code == 403


def test_page_shows_table_charts_and_download(client, org, usage):
    # given
    client.force_login(org["admin"])
    query = {"group_by": "region", "from": usage.isoformat(), "to": usage.isoformat()}
    # when
    page = client.get("/institution/performance/", query)
    chart = client.get("/institution/performance/chart/usage.svg", query)
    export = client.get("/institution/performance/export.xlsx", query)
    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="chart-tickets"' in html and 'data-testid="chart-usage"' in html
    assert org["region1"].name in html
    assert chart["Content-Type"] == "image/svg+xml" and b"<svg" in chart.content
    assert "default-src 'none'" in chart["Content-Security-Policy"]
    sheet = load_workbook(io.BytesIO(export.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=4, values_only=True)]
    # the two regions, then the admin, who is in none
    assert names[:2] == [org["region1"].name, org["region2"].name] and len(names) == 3


def test_page_for_a_customer_shows_only_themselves(client, org):
    # given
    client.force_login(org["ayse"])
    # when
    page = client.get("/institution/performance/")
    # then
    html = page.content.decode()
    assert page.status_code == 200 and "zeynep" not in html and "mehmet" not in html


def test_page_is_shown_locked_on_standard(client):
    # given
    institution = SubscriptionFactory(package_code="standard").institution
    client.force_login(PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution))
    # when
    page = client.get("/institution/performance/")
    export = client.get("/institution/performance/export.xlsx")
    # then
    assert page.status_code == 200 and 'data-testid="locked"' in page.content.decode()
    assert export.status_code == 403


def test_page_refuses_vendor_staff(client):
    # given
    client.force_login(PersonFactory(role=Role.PACKAGE_MANAGER))
    # when
    page = client.get("/institution/performance/")
    # then
    assert page.status_code == 403


def test_chart_of_unknown_name_is_404(client, org):
    # given
    client.force_login(org["admin"])
    # when
    response = client.get("/institution/performance/chart/salaries.svg")
    # then
    assert response.status_code == 404
