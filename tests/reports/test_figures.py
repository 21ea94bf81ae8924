"""The report checked figure by figure against the hand-computed values of tests/reports/dataset.py,
on the page, in the API summary and in the Excel file; and another institution's data never in it."""

import io
import re

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.figures import full
from reports.periods import Period
from reports.selectors import report_scope_for
from reports.summary import report_days_refresh

from . import dataset

pytestmark = pytest.mark.django_db
NOVEMBER = "from=2026-11-01&to=2026-11-30"


@pytest.fixture(params=["from the tickets", "from the day roll-up"])
def data(request):
    """The data set; a second time with the day roll-up built up to the day before TODAY, so
    that every figure is checked both computed from the tickets and read from the roll-up."""
    if request.param == "from the day roll-up":
        request.getfixturevalue("postgres")  # the roll-up is PostgreSQL's (reports/summary.py)
    built = dataset.build()
    if request.param == "from the day roll-up":
        assert report_days_refresh(today=dataset.TODAY.date())["extended"] > 0
    return {**built, "rolled_up": request.param == "from the day roll-up"}


@pytest.fixture
def today():
    with time_machine.travel(dataset.TODAY, tick=False):
        yield


def _summary(client_for, person, query=NOVEMBER):
    return client_for(person).get(f"/api/v1/reports/summary/?{query}")


def test_api_summary_matches_the_hand_computed_figures(data, today, client_for):
    # when
    response = _summary(client_for, data["admin"])
    # then
    assert response.status_code == 200
    body = response.json()
    for key, expected in dataset.EXPECTED.items():
        assert body[key] == expected, key
    assert (body["from"], body["to"]) == ("2026-11-01", "2026-11-30")


def test_detail_figures_match_the_hand_computed_figures(data, today):
    # given
    scope = report_scope_for(person=data["admin"])
    # when
    institution_id = scope.institution.pk if data["rolled_up"] else None
    figures = full(
        scope.tickets,
        scope.surveys,
        scope.items,
        Period(*_november()),
        scope.subscription,
        institution_id=institution_id,
    )
    # then
    expected = dataset.EXPECTED_DETAIL
    assert {r["key"]: r["count"] for r in figures["filed_by"]["kind"]} == expected["filed_by_kind"]
    assert {r["key"]: r["count"] for r in figures["filed_by"]["channel"]} == expected["filed_by_channel"]
    assert {r["key"]: r["count"] for r in figures["filed_by"]["product"]} == expected["filed_by_product"]
    assert {r["key"]: r["count"] for r in figures["resolved_by"]["kind"]} == expected["resolved_by_kind"]
    assert [b["count"] for b in figures["histogram"]] == expected["histogram"]
    assert figures["resolution_hours"] == expected["resolution_hours"]
    assert [d["count"] for d in figures["satisfaction"]["distribution"]] == expected["distribution"]
    assert [
        (t["month"].isoformat(), t["average"], t["responses"]) for t in figures["satisfaction"]["trend"]
    ] == [("2026-11-01", 3.5, 4)]
    assert [c["comment"] for c in figures["satisfaction"]["comments"]] == [
        "İlk yanıt geç geldi",
        "Harika, teşekkürler",
    ]
    assert {k: figures["previous"][k] for k in expected["previous"]} == expected["previous"]
    assert figures["previous"]["first_response_minutes"]["median"] == 10.0
    assert [b["id"] for b in figures["breach_list"]] == [data["tickets"]["t3"].pk, data["tickets"]["t4"].pk]
    runs_out = {q["channel"]: q["runs_out_on"] for q in figures["quota"]}
    assert runs_out["onsite_days"] == expected["runs_out_on"]["onsite_days"]
    assert runs_out["written"] is None
    onsite = next(q for q in figures["quota"] if q["channel"] == "onsite_days")
    assert [(b["month"].isoformat(), b["used"], b["remaining"]) for b in onsite["burn_down"]] == [
        ("2026-10-01", 1, 5),
        ("2026-11-01", 3, 3),
        ("2026-12-01", 4, 2),
    ]
    items = {i["ticket_id"]: (i["state"], i["planned_on"]) for i in figures["development_items"]["items"]}
    assert items[data["tickets"]["t3"].pk] == ("planned", _date(2026, 12, 20))


def _november():
    return _date(2026, 11, 1), _date(2026, 11, 30)


def _date(*args):
    import datetime

    return datetime.date(*args)


def _figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    return match[1].strip() if match else ""


def test_page_shows_the_hand_computed_figures(data, today, client):
    # given the admin reads the page in Turkish
    client.force_login(data["admin"])
    # when
    response = client.get(reverse("report-page") + "?" + NOVEMBER)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert _figure(html, "tickets_filed") == "5"
    assert _figure(html, "tickets_resolved") == "4"
    assert _figure(html, "first_response_compliance") == "60,0 %"
    assert _figure(html, "breaches") == "2"
    assert _figure(html, "first_response_median") == "52,5"
    assert _figure(html, "first_response_p90") == "81,0"
    assert _figure(html, "resolution_median") == "30,5"
    assert _figure(html, "satisfaction_average") == "3,50"
    assert _figure(html, "satisfaction_responses") == "4"
    assert "Harika, teşekkürler" in html
    assert re.search(r'data-channel="onsite_days">.*?<td[^>]*>6</td>.*?<td[^>]*>4</td>', html, re.S)
    assert "22 Oca 2027" in html
    assert 'lang="tr"' in html


def test_page_default_period_is_the_last_full_month(data, today, client):
    client.force_login(data["admin"])
    response = client.get(reverse("report-page"))
    assert response.status_code == 200
    assert _figure(response.content.decode(), "tickets_filed") == "5"


def test_excel_has_one_sheet_per_table_with_the_figures(data, today, client):
    # given
    client.force_login(data["admin"])
    # when
    response = client.get(reverse("report-download", args=["xlsx"]) + "?" + NOVEMBER)
    # then
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1:] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert summary["Açılan talepler"] == (5, 1)
    assert summary["Çözülen talepler"] == (4, 0)
    assert summary["İlk yanıt uyumu"] == (0.6, 1.0)
    assert summary["İhlaller"] == (2, 0)
    assert summary["İlk yanıt, medyan (hizmet dakikası)"][0] == 52.5
    assert summary["İlk yanıt, 90. yüzdelik (hizmet dakikası)"][0] == 81.0
    assert summary["Memnuniyet (5 üzerinden ortalama)"] == (3.5, None)
    assert len(book.sheetnames) >= 10
    quota = {row[0]: row[1:3] for row in book["Kota"].iter_rows(min_row=2, values_only=True)}
    assert quota["Yerinde destek ve eğitim günleri"] == (6, 4)
    histogram = [row[2] for row in book["İlk yanıt süresi"].iter_rows(min_row=2, values_only=True)]
    assert histogram == dataset.EXPECTED_DETAIL["histogram"]
    breaches = [row[0] for row in book["İhlaller"].iter_rows(min_row=2, values_only=True)]
    assert breaches == [data["tickets"]["t3"].pk, data["tickets"]["t4"].pk]


def test_other_institution_never_appears(data, today, client, client_for):
    # given
    client.force_login(data["admin"])
    secret = "B kurumunun gizli yorumu"
    other_ticket = data["tickets"]["tb"]
    # when
    page = client.get(reverse("report-page") + "?" + NOVEMBER).content.decode()
    book = client.get(reverse("report-download", args=["xlsx"]) + "?" + NOVEMBER).content
    cells = [
        str(v)
        for sheet in openpyxl.load_workbook(io.BytesIO(book)).worksheets
        for row in sheet.iter_rows(values_only=True)
        for v in row
    ]
    other = _summary(client_for, data["other_customer"])
    # then
    assert secret not in page
    assert other_ticket.subject not in page
    assert secret not in cells
    assert other_ticket.subject not in cells
    assert other.status_code == 403


def test_page_query_count_is_capped(data, today, client):
    # given
    client.force_login(data["admin"])
    client.get(reverse("report-page") + "?" + NOVEMBER)
    # when the figures are not cached
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("report-page") + "?" + NOVEMBER)
    # then
    assert response.status_code == 200
    assert len(queries) <= 45


def test_chart_is_a_nonempty_svg_without_script(data, today, client):
    client.force_login(data["admin"])
    response = client.get(reverse("report-chart", args=["filed-by-kind"]) + "?" + NOVEMBER)
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "<svg" in body and "<rect" in body
    assert "<script" not in body


def test_page_inlines_no_script_or_style(data, today, client):
    client.force_login(data["admin"])
    html = client.get(reverse("report-page") + "?" + NOVEMBER).content.decode()
    content = html.split('id="content"', 1)[1]
    assert "<script" not in content.split("</main>")[0]
    assert "<style" not in content
    assert " style=" not in content
    assert (
        len(re.findall(r'<img src="/reports/chart/[a-z-]+\.svg\?from=2026-11-01&amp;to=2026-11-30"', html))
        >= 6
    )


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-11-30&to=2026-11-01",
        "from=2026-13-01&to=2026-12-01",
        "from=yesterday&to=2026-12-01",
        "from=2026-11-01T00:00:00&to=2026-11-30T00:00:00",
        "from=2023-01-01&to=2026-01-01",
        "to=2026-11-30",
    ],
)
def test_api_bad_range_is_400(data, today, client_for, query):
    response = _summary(client_for, data["admin"], query)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "range" in response.json()["error"]["fields"]


def test_api_aware_datetimes_are_read_in_istanbul(data, today, client_for):
    response = _summary(client_for, data["admin"], "from=2026-10-31T21:00:00Z&to=2026-12-01T00:00:00%2B03:00")
    assert response.status_code == 200
    assert response.json()["tickets_filed"] == 5


def test_api_three_years_to_the_day_before_is_allowed(data, today, client_for):
    assert _summary(client_for, data["admin"], "from=2023-12-01&to=2026-11-30").status_code == 200


def test_page_reversed_range_shows_the_translated_error(data, today, client):
    client.force_login(data["admin"])
    response = client.get(reverse("report-page") + "?period=custom&start=2026-11-30&end=2026-11-01")
    assert response.status_code == 400
    assert "Dönemin sonu başlangıcından önce." in response.content.decode()


def test_customer_may_not_see_the_report(data, today, client, client_for):
    client.force_login(data["customer"])
    assert client.get(reverse("report-page")).status_code == 403
    assert client.get(reverse("report-download", args=["xlsx"]) + "?" + NOVEMBER).status_code == 403
    assert _summary(client_for, data["customer"]).status_code == 403


def test_pdf_carries_the_institution_name_and_compliance(data, today, client):
    import pypdf

    client.force_login(data["admin"])
    response = client.get(reverse("report-download", args=["pdf"]) + "?" + NOVEMBER)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "Ankara Büyükşehir Belediyesi" in text
    assert "60,0 %" in text
    assert "İlk yanıt uyumu" in text


def test_unit_manager_sees_only_the_monitored_unit(today, client_for):
    # given a Premium institution with two units; one ticket filed in each in November
    from organizations.services import monitoring_grant_give
    from tests.factories import PersonFactory, SubscriptionFactory, UnitFactory

    with time_machine.travel(dataset.at(9, 1, 9), tick=False):
        institution = SubscriptionFactory(package_code="premium").institution
    admin = PersonFactory(institution=institution, role=dataset.Role.INSTITUTION_ADMIN)
    watched, other = (
        UnitFactory(region__institution=institution),
        UnitFactory(region__institution=institution),
    )
    manager = PersonFactory(institution=institution, unit=watched, role=dataset.Role.UNIT_MANAGER)
    monitoring_grant_give(actor=admin, person=manager)
    for unit in (watched, other):
        customer = PersonFactory(institution=institution, unit=unit, role=dataset.Role.CUSTOMER)
        dataset._file(customer, dataset.at(11, 5, 10), kind="question", product=None)
    # when
    managed = _summary(client_for, manager).json()
    whole = _summary(client_for, admin).json()
    # then
    assert (managed["tickets_filed"], whole["tickets_filed"]) == (1, 2)
    assert managed["quota"] == {}
    assert whole["quota"]["written"]["used"] == 2


def test_unit_manager_on_silver_may_not_see_reports(today, client_for):
    from tests.factories import PersonFactory, SubscriptionFactory, UnitFactory

    institution = SubscriptionFactory(package_code="standard").institution
    unit = UnitFactory(region__institution=institution)
    manager = PersonFactory(institution=institution, unit=unit, role=dataset.Role.UNIT_MANAGER)
    assert _summary(client_for, manager).status_code == 403


def test_admin_on_standard_reads_the_report(today, client):
    # given the admin of a Standard institution
    from tests.factories import PersonFactory, SubscriptionFactory

    institution = SubscriptionFactory(package_code="standard").institution
    client.force_login(PersonFactory(institution=institution, role=dataset.Role.INSTITUTION_ADMIN))
    # when
    response = client.get(reverse("report-page"))
    # then the report is there, with the quota of the contract
    assert response.status_code == 200
    assert 'data-testid="quota"' in response.content.decode()


def test_region_manager_page_shows_the_monitored_part_without_quota(today, client):
    # given a region manager monitoring one of two regions, a ticket filed in each in November
    from organizations.services import monitoring_grant_give
    from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory

    with time_machine.travel(dataset.at(9, 1, 9), tick=False):
        institution = SubscriptionFactory(package_code="premium_plus").institution
    admin = PersonFactory(institution=institution, role=dataset.Role.INSTITUTION_ADMIN)
    watched, other = RegionFactory(institution=institution), RegionFactory(institution=institution)
    manager = PersonFactory(institution=institution, region=watched, role=dataset.Role.REGION_MANAGER)
    monitoring_grant_give(actor=admin, person=manager)
    for region in (watched, other):
        customer = PersonFactory(institution=institution, region=region, role=dataset.Role.CUSTOMER)
        dataset._file(customer, dataset.at(11, 5, 10), kind="problem", product=None)
    client.force_login(manager)
    # when
    html = client.get(reverse("report-page") + "?" + NOVEMBER).content.decode()
    # then
    assert _figure(html, "tickets_filed") == "1"
    assert 'data-testid="quota"' not in html


@pytest.mark.parametrize("data", ["from the tickets"], indirect=True)
def test_api_summary_pdf_url_serves_the_report_without_credentials(data, today, client_for):
    # given
    from rest_framework.test import APIClient

    pdf_url = _summary(client_for, data["admin"]).json()["pdf_url"]
    # when
    response = APIClient().get(pdf_url)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("data", ["from the tickets"], indirect=True)
def test_api_report_download_in_an_unknown_format_is_400(data, today, client_for):
    # when
    response = client_for(data["admin"]).get(f"/api/v1/reports/download/?format=doc&{NOVEMBER}")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"format": ["pdf ya da xlsx seçin."]}
