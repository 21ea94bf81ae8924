"""GET /api/v1/desk/forecast/: the breach forecast for the desk, 403 for everyone else."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Europe/Istanbul")
FILED = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=IST)
URL = "/api/v1/desk/forecast/"


@pytest.fixture
def queue(time_machine, settings):
    """Four Premium tickets due at 11:00, one engineer, 10:15: the last two at risk."""
    settings.FORECAST_BREACH_PROBABILITY = 0.5
    time_machine.move_to(FILED, tick=False)
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    tickets = [TicketFactory(at=FILED + datetime.timedelta(seconds=i)) for i in range(4)]
    time_machine.move_to(FILED + datetime.timedelta(minutes=15), tick=False)
    return engineer, tickets


def test_a_customer_is_refused(customer, client_for):
    # when
    response = client_for(customer).get(URL, {"within": 60})
    # then
    assert response.status_code == 403


def test_the_engineer_gets_exactly_the_keys_of_the_forecast(queue, client_for):
    # given
    engineer, tickets = queue
    # when
    response = client_for(engineer).get(URL, {"within": 60})
    # then
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"generated_at", "on_duty", "at_risk", "with_one_more_engineer"}
    assert set(body["at_risk"][0]) == {
        "ticket",
        "priority",
        "first_response_due_at",
        "expected_first_response_at",
        "breach_probability",
        "cause",
    }
    assert [item["ticket"] for item in body["at_risk"]] == [tickets[2].pk, tickets[3].pk]
    assert (body["on_duty"], body["with_one_more_engineer"]) == (1, {"at_risk": 0})


def test_the_desk_lead_reads_it_too(queue, lead, client_for):
    # when
    response = client_for(lead).get(URL, {"within": 60})
    # then
    assert (response.status_code, len(response.json()["at_risk"])) == (200, 2)


def test_a_window_out_of_range_is_a_400_naming_it(engineer, client_for):
    # when
    response = client_for(engineer).get(URL, {"within": 0})
    # then
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["within"])
