"""The breach forecast on the desk: computed from the database, the answered ticket leaving it at
once, the alert to the desk lead once per change (tickets.forecast.services)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from core.models import OutboxMessage
from organizations.roles import Role
from organizations.services import duty_change_schedule, person_set_on_duty
from tests.factories import PersonFactory, TicketFactory
from tickets.forecast import selectors, services
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Europe/Istanbul")
# Premium tickets (60 service minutes) filed at 10:00 are due at 11:00; at 10:15 one engineer with
# no history (the prior: 20 minutes a ticket) answers four of them at about 20, 40, 60 and 80
# minutes, so the third and fourth are forecast to breach.
FILED = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=IST)
NOW = datetime.datetime(2026, 11, 20, 10, 15, tzinfo=IST)


@pytest.fixture
def desk(time_machine, settings):
    settings.FORECAST_BREACH_PROBABILITY = 0.5
    settings.FORECAST_ALERT_THRESHOLD = 1
    time_machine.move_to(FILED, tick=False)
    lead = PersonFactory(role=Role.DESK_LEAD, email="lead@example.test")
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    tickets = [TicketFactory(at=FILED + datetime.timedelta(seconds=i)) for i in range(4)]
    time_machine.move_to(NOW, tick=False)
    return lead, engineer, tickets


def alerts() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(cause__startswith="tickets.forecast-alert:").order_by("pk"))


def test_the_queue_behind_one_engineer_is_forecast_to_breach(desk):
    # given
    _lead, _engineer, tickets = desk
    # when
    with translation.override("en"):
        view = services.forecast_at_risk(within=60)
    # then the third and fourth in the queue, with their cause
    assert [item.ticket for item in view.at_risk] == [tickets[2].pk, tickets[3].pk]
    assert view.at_risk[0].cause == "2 tickets ahead of it, 1 engineer on duty"
    assert view.at_risk[0].expected_first_response_at > tickets[2].first_response_due_at
    assert (view.on_duty, view.with_one_more_engineer) == (1, 0)


def test_an_answered_ticket_leaves_the_forecast_at_once(desk):
    # given the forecast stored with the third ticket at risk
    _lead, engineer, tickets = desk
    services.forecast_refresh()
    # when the engineer answers it
    ticket_reply(actor=engineer, ticket=tickets[2], body="Bakıyoruz.")
    # then the stored forecast, read again before any refresh, no longer lists it
    assert [item.ticket for item in services.forecast_at_risk(within=60).at_risk] == [tickets[3].pk]


def test_nothing_is_at_risk_beyond_the_window_asked_for(desk):
    # then the deadlines are 45 minutes away
    assert services.forecast_at_risk(within=30).at_risk == []


def test_a_planned_off_duty_is_read_ahead(desk, time_machine):
    # given the only engineer goes off duty at 10:30, after the ticket in hand
    lead, engineer, tickets = desk
    duty_change_schedule(
        actor=lead, person=engineer, at=NOW + datetime.timedelta(minutes=15), is_on_duty=False
    )
    services.forecast_forget()
    # when
    view = services.forecast_at_risk(within=60)
    # then nobody answers the second, third and fourth
    assert [item.ticket for item in view.at_risk] == [t.pk for t in tickets[1:]]
    assert view.at_risk[-1].expected_first_response_at is None


def test_the_alert_is_sent_once_per_change_of_the_count(desk):
    # given two tickets at risk (above the threshold of one)
    _lead, _engineer, _tickets = desk
    # when the forecast is refreshed twice
    services.forecast_refresh()
    services.forecast_refresh()
    # then one e-mail to the desk lead names both
    sent = alerts()
    assert len(sent) == 1
    assert [m.recipient for m in sent] == ["lead@example.test"]
    at_risk = [item.ticket for item in services.forecast_at_risk(within=60).at_risk]
    assert [f"#{pk} " in sent[0].body for pk in at_risk] == [True, True]


def test_the_alert_is_sent_again_when_the_count_changes(desk, time_machine):
    # given the alert about two tickets sent
    services.forecast_refresh()
    # when a fifth ticket is filed (a third at risk) and the forecast refreshed
    TicketFactory(at=NOW)
    services.forecast_refresh()
    # then a second e-mail
    assert len(alerts()) == 2


def test_no_alert_at_or_below_the_threshold(desk, settings):
    # given the threshold at two tickets
    settings.FORECAST_ALERT_THRESHOLD = 2
    # when
    sent = services.forecast_refresh()
    # then
    assert (len(services.forecast_at_risk(within=60, forecast=sent).at_risk), alerts()) == (2, [])


def test_the_cause_is_in_turkish_first(desk):
    # when
    with translation.override("tr"):
        view = services.forecast_at_risk(within=60)
    # then
    assert view.at_risk[0].cause == "önünde 2 talep var, görevde 1 mühendis"


def test_rates_are_learnt_from_the_engineers_first_responses(time_machine):
    # given an engineer who answered three questions, each 12 minutes after the previous answer
    time_machine.move_to(FILED, tick=False)
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    tickets = [TicketFactory(at=FILED) for _ in range(3)]
    for minutes, ticket in zip((12, 24, 36), tickets, strict=True):
        time_machine.move_to(FILED + datetime.timedelta(minutes=minutes), tick=False)
        ticket_reply(actor=engineer, ticket=ticket, body="Bakıyoruz.")
    # when
    learnt = services.forecast_learn()
    # then three handling times of 12 minutes, about five first responses per service hour
    assert learnt.rates.responses == 3
    assert learnt.rates.mean_minutes == pytest.approx(12.0, abs=0.01)
    assert learnt.rates.per_hour(engineer.pk, "question", None) == pytest.approx(5.0, abs=0.01)


def test_the_moment_an_engineer_went_off_duty_is_read_from_the_audit_log(desk, time_machine):
    # given the desk lead takes the engineer off duty at 10:15
    lead, engineer, _tickets = desk
    person_set_on_duty(actor=lead, person=engineer, is_on_duty=False)
    # when
    off = selectors.forecast_last_off(engineer_ids=[engineer.pk], since=FILED)
    # then
    assert off == {engineer.pk: NOW}


def test_the_work_filed_is_learnt_by_the_hour_of_the_desks_day(desk):
    # given the four tickets filed at 10:00, the third hour of the desk's day (08:00–24:00), and no
    # first responses yet (the prior: 20 minutes a ticket)
    _lead, _engineer, tickets = desk
    since = NOW - datetime.timedelta(weeks=4)
    per_hour = services.desk_calendar().service_minutes_between(since, NOW) / 16
    # when
    learnt = services.forecast_learn(now=NOW)
    # then 4 × 20 minutes of work over the service minutes of that hour in four weeks
    profile = learnt.arrivals[tickets[0].priority]
    assert profile[2] == pytest.approx(4 * 20.0 / per_hour)
    assert [hour for hour, load in enumerate(profile) if load] == [2]
