"""The performance page and its charts as a reader meets them: products and features by name,
every figure labelled for the phone, people by their names, counts on whole-number axes."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from performance.services import usage_dirty_days_rollup, usage_events_ingest
from tests import svg
from tests.factories import TicketFactory
from tests.factories.performance import ProductFactory, usage_event

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Europe/Istanbul")


@pytest.fixture
def used(org):
    """Yesterday Ayşe used Netcad's data transfer for an hour and filed a ticket."""
    ProductFactory(code="netcad", name="Netcad")
    day = timezone.localdate() - datetime.timedelta(days=1)

    def at(hour):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=IST).isoformat()

    events = [
        usage_event(username="ayse", kind="session_start", feature=None, occurred_at=at(9)),
        usage_event(username="ayse", kind="feature_used", feature="veri-aktarimi", occurred_at=at(9)),
        usage_event(username="ayse", kind="session_end", feature=None, occurred_at=at(10)),
    ]
    usage_events_ingest(key=org["key"], payload={"events": events})
    usage_dirty_days_rollup()
    TicketFactory(requester=org["ayse"])
    return {
        "group_by": "person",
        "from": day.replace(day=1).isoformat(),
        "to": timezone.localdate().isoformat(),
    }


def test_page_names_products_and_features_and_labels_every_figure(client, org, used):
    # given
    org["ayse"].first_name, org["ayse"].last_name = "Ayşe", "Yılmaz"
    org["ayse"].save()
    client.force_login(org["admin"])
    # when
    html = client.get("/institution/performance/", used).content.decode()
    # then the feature reads as words under the product's name, not as netcad/veri-aktarimi
    assert "Netcad: Veri aktarimi (1)" in html
    assert "netcad/veri-aktarimi" not in html
    assert "Ayşe Yılmaz" in html
    # and every figure cell of every table says what it is (the phone shows the label beside it)
    cells = re.findall(r"<td\b[^>]*>", html)
    assert cells
    assert [cell for cell in cells if "data-label=" not in cell and "colspan=" not in cell] == []


def test_tickets_chart_counts_in_whole_numbers_and_draws_both_series(client, org, used):
    # given
    client.force_login(org["admin"])
    # when
    picture = client.get("/institution/performance/chart/tickets.svg", used).content
    # then a single ticket does not make the axis run 0, 0.1 … 1
    labels = svg.value_axis_labels(picture, axis="x")
    assert labels and all(svg.is_whole_number(label) for label in labels)
    assert svg.titles(picture) == ["Açılan ve çözülen talepler"]
    assert len(svg.legend(picture)) == 2
    assert svg.drawn_series(picture) == [0, 1]


def test_usage_chart_reads_hours_with_a_decimal_comma(client, org, used):
    # given
    client.force_login(org["admin"])
    # when
    picture = client.get("/institution/performance/chart/usage.svg", used).content.decode()
    # then
    assert svg.titles(picture) == ["Ürün kullanımı (saat)"]
    labels = svg.value_axis_labels(picture, axis="x")
    assert labels and all(re.fullmatch(r"\d+,\d", label) for label in labels)
    assert ">1,0<" in picture
