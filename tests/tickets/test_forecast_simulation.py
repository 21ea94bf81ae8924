"""The breach forecast's simulation against cases worked out by hand (tickets.forecast)."""

import datetime
import math
import random
from zoneinfo import ZoneInfo

import pytest

from tickets.forecast.rates import HandlingRates, Timeline, handling_times, learn
from tickets.forecast.services import Learnt, desk_calendar, forecast_build
from tickets.forecast.simulation import (
    Arrivals,
    DutyChange,
    QueuedTicket,
    breach_probability,
    gamma_tail,
    remaining_handling,
    simulate,
    simulate_monte_carlo,
)

ISTANBUL = ZoneInfo("Europe/Istanbul")


def fixed(minutes: float):
    """Every handling takes exactly `minutes`."""
    return lambda engineer, kind, product: (minutes, 0.0)


def by_id(forecasts):
    return {forecast.id: forecast for forecast in forecasts}


def test_one_engineer_answers_three_tickets_in_queue_order():
    # given one engineer, handling 10 minutes, and three tickets: the P1 first, then the P2s by deadline
    tickets = [
        QueuedTicket(id=3, priority=2, due=40.0, order=-3.0, kind="question", product=None),
        QueuedTicket(id=2, priority=2, due=15.0, order=-2.0, kind="question", product=None),
        QueuedTicket(id=1, priority=1, due=25.0, order=-1.0, kind="question", product=None),
    ]
    # when
    forecasts = simulate(tickets=tickets, on_duty=[7], handling=fixed(10.0))
    # then the answers come at 10, 20 and 30 minutes; only the second misses its deadline of 15
    assert [(f.id, f.expected, f.breach_probability, f.ahead, f.on_duty) for f in forecasts] == [
        (1, 10.0, 0.0, 0, 1),
        (2, 20.0, 1.0, 1, 1),
        (3, 30.0, 0.0, 2, 1),
    ]


def test_an_engineer_coming_on_duty_mid_queue_takes_the_next_ticket():
    # given one engineer now and a second from minute 10, handling 10 minutes
    tickets = [QueuedTicket(i, 1, 25.0, float(i), "question", None) for i in (1, 2, 3)]
    # when
    forecasts = by_id(
        simulate(tickets=tickets, on_duty=[1], changes=[DutyChange(10.0, 2, True)], handling=fixed(10.0))
    )
    # then the first is answered at 10, the other two side by side at 20: none breaches
    assert [(forecasts[i].expected, forecasts[i].breach_probability) for i in (1, 2, 3)] == [
        (10.0, 0.0),
        (20.0, 0.0),
        (20.0, 0.0),
    ]
    assert forecasts[3].on_duty == 2


def test_an_engineer_going_off_duty_mid_queue_finishes_the_ticket_in_hand_only():
    # given the only engineer goes off duty at minute 15
    tickets = [QueuedTicket(i, 1, 25.0, float(i), "question", None) for i in (1, 2, 3)]
    # when
    forecasts = by_id(
        simulate(tickets=tickets, on_duty=[1], changes=[DutyChange(15.0, 1, False)], handling=fixed(10.0))
    )
    # then the second (taken at 10) is answered at 20; nobody takes the third, a certain breach
    assert (forecasts[2].expected, forecasts[2].breach_probability) == (20.0, 0.0)
    assert (forecasts[3].expected, forecasts[3].breach_probability, forecasts[3].on_duty) == (
        math.inf,
        1.0,
        0,
    )


def test_the_queue_stops_at_midnight_and_carries_on_at_eight():
    # given 23:40 in Istanbul, one engineer, 15 minutes a ticket: the second is answered after the
    # window closes at 24:00 (5 minutes into it) and 10 minutes after it reopens at 08:00
    now = datetime.datetime(2026, 3, 10, 23, 40, tzinfo=ISTANBUL)
    late = datetime.datetime(2026, 3, 11, 8, 5, tzinfo=ISTANBUL)
    queue = [
        (1, 1, datetime.datetime(2026, 3, 10, 23, 58, tzinfo=ISTANBUL), now, "question", None),
        (2, 1, late, now + datetime.timedelta(seconds=1), "question", None),
    ]
    learnt = Learnt(HandlingRates(15.0, 0.0, {}, {}, {}, 0), {})
    # when
    forecast = forecast_build(
        now=now, queue=queue, engineers=[(5, True)], changes=[], last_free={}, learnt=learnt
    )
    # then
    rows = {row.ticket: row for row in forecast.rows}
    calendar = desk_calendar()
    assert calendar.add_service_minutes(now, rows[1].expected_minutes) == datetime.datetime(
        2026, 3, 10, 23, 55, tzinfo=ISTANBUL
    )
    assert calendar.add_service_minutes(now, rows[2].expected_minutes) == datetime.datetime(
        2026, 3, 11, 8, 10, tzinfo=ISTANBUL
    )
    assert (rows[1].breach_probability, rows[2].breach_probability) == (0.0, 1.0)


def test_the_what_if_adds_an_engineer_of_the_desks_average_speed():
    # given one engineer at 20 minutes a ticket, and two tickets due in 30 minutes
    now = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=ISTANBUL)
    due = now + datetime.timedelta(minutes=30)
    queue = [(i, 1, due, now - datetime.timedelta(minutes=10 - i), "question", None) for i in (1, 2)]
    learnt = Learnt(HandlingRates(20.0, 0.0, {}, {}, {}, 0), {})
    # when
    forecast = forecast_build(
        now=now, queue=queue, engineers=[(5, True)], changes=[], last_free={}, learnt=learnt
    )
    # then the second breaches as staffed (answered at 40) but not with a second engineer (at 20)
    rows = {row.ticket: row for row in forecast.rows}
    assert (rows[1].breach_probability, rows[1].with_one_more) == (0.0, 0.0)
    assert (rows[2].breach_probability, rows[2].with_one_more) == (1.0, 0.0)


def test_a_planned_duty_change_in_the_morning_is_counted_in_service_minutes():
    # given nobody on duty at 23:50, an engineer planned on duty at 08:00, 10 minutes a ticket
    now = datetime.datetime(2026, 3, 10, 23, 50, tzinfo=ISTANBUL)
    morning = datetime.datetime(2026, 3, 11, 8, 0, tzinfo=ISTANBUL)
    queue = [(1, 1, morning + datetime.timedelta(minutes=5), now, "question", None)]
    learnt = Learnt(HandlingRates(10.0, 0.0, {}, {}, {}, 0), {})
    # when
    forecast = forecast_build(
        now=now,
        queue=queue,
        engineers=[(5, False)],
        changes=[(morning, 5, True)],
        last_free={},
        learnt=learnt,
    )
    # then the engineer starts at 08:00 and answers at 08:10, five minutes late
    row = forecast.rows[0]
    assert desk_calendar().add_service_minutes(now, row.expected_minutes) == morning + datetime.timedelta(
        minutes=10
    )
    assert row.breach_probability == 1.0


def test_a_busy_engineer_finishes_the_ticket_in_hand_before_taking_an_urgent_one():
    # given one engineer who took the P3 ticket 4 minutes ago (fixed 10 minutes a ticket), and a
    # P1 ticket filed since
    tickets = [
        QueuedTicket(1, 3, 100.0, -30.0, "question", None),
        QueuedTicket(2, 1, 30.0, -1.0, "question", None),
    ]
    # when
    forecasts = by_id(simulate(tickets=tickets, on_duty=[1], free_since={1: -4.0}, handling=fixed(10.0)))
    # then the P3 is answered in 6 minutes, the P1 10 minutes later
    assert (forecasts[1].expected, forecasts[2].expected) == (6.0, 16.0)


def test_gamma_tail_matches_the_exponential_case():
    # then Q(1, x) = e^-x, on both sides of the series / continued fraction switch
    assert [round(gamma_tail(1.0, x), 9) for x in (0.5, 1.0, 3.0, 10.0)] == [
        round(math.exp(-x), 9) for x in (0.5, 1.0, 3.0, 10.0)
    ]


def test_breach_probability_is_one_half_near_the_mean_of_a_tight_distribution():
    # then
    assert breach_probability(expected=30.0, variance=0.01, due=30.0) == pytest.approx(0.5, abs=0.01)


def test_the_analytic_probabilities_stay_close_to_monte_carlo():
    # given two engineers and twelve tickets with a spread of handling times
    rng = random.Random(5)
    tickets = [
        QueuedTicket(i, rng.randint(1, 3), rng.uniform(10, 70), float(i), "question", None) for i in range(12)
    ]
    handling = HandlingRates(12.0, 0.6, {}, {}, {}, 0).handling
    # when
    analytic = by_id(simulate(tickets=tickets, on_duty=[1, 2], handling=handling))
    sampled = by_id(
        simulate_monte_carlo(tickets=tickets, on_duty=[1, 2], handling=handling, runs=2000, seed=1)
    )
    # then
    worst = max(abs(analytic[i].breach_probability - sampled[i].breach_probability) for i in analytic)
    assert worst < 0.2


def test_rates_learnt_put_a_slow_kind_and_a_slow_engineer_above_the_average():
    # given engineer 1 answering questions in 10 minutes and bugs in 30, engineer 2 twice as slow
    timelines = []
    clock = 0.0
    for _ in range(30):
        for engineer, factor in ((1, 1.0), (2, 2.0)):
            for kind, minutes in (("question", 10.0), ("bug", 30.0)):
                timelines.append(Timeline(engineer, kind, None, clock, clock + minutes * factor))
        clock += 200.0
    # when
    rates = learn(handling_times(timelines))
    # then
    assert rates.mean(1, "bug", None) > rates.mean(1, "question", None)
    assert rates.mean(2, "question", None) > rates.mean(1, "question", None)
    assert rates.mean(99, "question", None) == pytest.approx(
        rates.mean_minutes * rates.kind_factor["question"] * rates.product_factor[None], rel=1e-9
    )


def test_ten_thousand_open_tickets_are_all_forecast():
    # The time it takes is bench_forecast's to print (a benchmark, not a timed test).
    # given 10,000 waiting tickets, six engineers and planned changes, as read from the database
    now = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=ISTANBUL)
    rng = random.Random(3)
    queue = [
        (
            i,
            rng.randint(1, 4),
            now + datetime.timedelta(minutes=rng.uniform(-60, 3000)),
            now - datetime.timedelta(minutes=rng.uniform(0, 3000)),
            rng.choice(("question", "problem", "bug")),
            rng.randint(1, 4),
        )
        for i in range(10_000)
    ]
    changes = [(now + datetime.timedelta(minutes=30 * i), 1 + i % 6, i % 2 == 0) for i in range(20)]
    learnt = Learnt(HandlingRates(14.0, 0.6, {}, {}, {}, 0), {1: 0.4, 2: 0.6, 3: 0.6})
    engineers = [(e, True) for e in range(1, 7)]
    # when
    forecast = forecast_build(
        now=now, queue=queue, engineers=engineers, changes=changes, last_free={}, learnt=learnt
    )
    # then
    assert len(forecast.rows) > 9_000
    assert all(0.0 <= row.breach_probability <= 1.0 for row in forecast.rows)


def test_what_is_left_of_a_memoryless_handling_is_the_whole_of_it():
    # given an exponential handling time (mean 10, standard deviation 10), 7 minutes under way
    # when
    remaining = remaining_handling(mean=10.0, variance=100.0, elapsed=7.0)
    # then no memory: still 10 minutes on average, with the same spread
    assert remaining == pytest.approx((10.0, 100.0), rel=1e-6)


def test_what_is_left_of_a_handling_grows_beyond_the_mean_minus_the_time_spent():
    # given a gamma handling time of shape 2 and scale 5 (mean 10), 5 minutes under way: its
    # survival is e^(-t/5)(1 + t/5), so what is left has mean
    # ∫_5^∞ e^(-t/5)(1 + t/5) dt / (e^(-1) · 2) = 5 (5 + 10) / (5 + 5) = 7.5
    # when
    mean, _variance = remaining_handling(mean=10.0, variance=50.0, elapsed=5.0)
    # then
    assert mean == pytest.approx(7.5, rel=1e-6)


def test_what_is_left_of_a_fixed_handling_is_the_mean_minus_the_time_spent():
    # then
    assert remaining_handling(mean=10.0, variance=0.0, elapsed=4.0) == (6.0, 0.0)


def test_an_engineer_gone_off_duty_finishes_the_ticket_in_hand_and_takes_no_other():
    # given engineer 1 became free 4 minutes ago and took ticket 1 (filed before), then went off
    # duty 2 minutes ago; engineer 2 is on duty and free now; 10 minutes a ticket
    tickets = [QueuedTicket(i, 2, 100.0, -10.0 + i, "question", None) for i in (1, 2, 3)]
    # when
    forecasts = by_id(
        simulate(
            tickets=tickets,
            on_duty=[2],
            free_since={1: -4.0},
            went_off={1: -2.0},
            handling=fixed(10.0),
        )
    )
    # then ticket 1 is answered by engineer 1 in 6 minutes; engineer 2 answers 2 at 10 and 3 at 20
    assert [forecasts[i].expected for i in (1, 2, 3)] == [6.0, 10.0, 20.0]


def test_an_engineer_who_went_off_duty_before_a_ticket_was_filed_holds_none():
    # given engineer 1, free 8 minutes ago, went off duty 6 minutes ago; the tickets were filed
    # 5 and 4 minutes ago; engineer 2, on duty, is free; 10 minutes a ticket
    tickets = [
        QueuedTicket(1, 2, 100.0, -5.0, "question", None),
        QueuedTicket(2, 2, 100.0, -4.0, "question", None),
    ]
    # when
    forecasts = by_id(
        simulate(
            tickets=tickets,
            on_duty=[2],
            free_since={1: -8.0, 2: -3.0},
            went_off={1: -6.0},
            handling=fixed(10.0),
        )
    )
    # then engineer 2 took ticket 1 three minutes ago and answers it at 7, ticket 2 at 17
    assert (forecasts[1].expected, forecasts[2].expected) == (7.0, 17.0)


def test_the_work_still_to_arrive_stretches_a_wait_by_the_hour_of_the_day():
    # given priority-1 work arriving at 0 an hour in the first hour of a two-hour day and 1 minute
    # per minute in the second, 30 minutes into the first hour, two engineers: the share of the
    # desk taken is 0 for 30 minutes, 1/2 for the next 60, 0 for the next 30, and so on
    arrivals = Arrivals({1: (0.0, 1.0)}, offset=30.0, slot=60.0)
    # then a priority-2 ticket that would start at 50 starts at 30 + (50 − 30) / (1 − 1/2) = 70;
    # one that would start at 100 starts after a whole day (120 minutes, 90 of them its own) and 10
    # more minutes: 130; a priority-1 ticket waits for nothing still to come
    assert arrivals.start(2, 2, 50.0) == pytest.approx(70.0)
    assert arrivals.start(2, 2, 100.0) == pytest.approx(130.0)
    assert arrivals.start(2, 2, 20.0) == pytest.approx(20.0)
    assert arrivals.start(1, 2, 50.0) == 50.0


def test_a_constant_load_stretches_a_wait_by_one_over_the_share_left():
    # given 0.5 minutes of priority-1 work a minute all day, one engineer
    arrivals = Arrivals({1: 0.5})
    # then a wait of 40 minutes becomes 40 / (1 − 0.5) = 80
    assert arrivals.start(3, 1, 40.0) == pytest.approx(80.0)


def test_a_ticket_that_turns_at_risk_is_flagged_after_the_persistence_minutes(settings):
    # given the rule: 0.55 for four minutes, until below 0.2; two P1 tickets due at 10:25, two
    # engineers, 15 minutes a ticket (no spread): both answered at 10:15
    settings.FORECAST_BREACH_PROBABILITY = 0.55
    settings.FORECAST_PERSIST_MINUTES = 4.0
    settings.FORECAST_CLEAR_PROBABILITY = 0.2
    start = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=ISTANBUL)
    due = start + datetime.timedelta(minutes=25)
    queue = [(i, 1, due, start - datetime.timedelta(minutes=10 - i), "question", None) for i in (1, 2)]
    learnt = Learnt(HandlingRates(15.0, 0.0, {}, {}, {}, 0), {})

    def build(minute: int, engineers, previous):
        return forecast_build(
            now=start + datetime.timedelta(minutes=minute),
            queue=queue,
            engineers=engineers,
            changes=[],
            last_free={},
            learnt=learnt,
            previous=previous,
        )

    # when one engineer goes off duty at 10:01 (the second ticket now answered at 10:31, a certain
    # breach) and the forecast is refreshed every minute
    forecast = build(0, [(5, True), (6, True)], None)
    at_risk = []
    for minute in range(1, 6):
        forecast = build(minute, [(5, True), (6, False)], forecast)
        at_risk.append({row.ticket: row.risk.at_risk for row in forecast.rows})
    # then the second ticket is at risk from 10:05, four minutes after its probability rose; with
    # one more engineer it would not be
    assert [flags[2] for flags in at_risk] == [False, False, False, False, True]
    assert [flags[1] for flags in at_risk] == [False] * 5
    assert not any(row.risk_with_one_more.at_risk for row in forecast.rows)


def test_an_engineer_gone_off_duty_still_answers_the_ticket_in_hand():
    # given engineer 5 answered a ticket at 09:56 (taking the next one) and went off duty at 09:58;
    # engineer 6 is on duty and free; 10 minutes a ticket
    now = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=ISTANBUL)
    due = now + datetime.timedelta(minutes=90)
    queue = [(i, 2, due, now - datetime.timedelta(minutes=10 - i), "question", None) for i in (1, 2)]
    learnt = Learnt(HandlingRates(10.0, 0.0, {}, {}, {}, 0), {})
    # when
    forecast = forecast_build(
        now=now,
        queue=queue,
        engineers=[(5, False), (6, True)],
        changes=[],
        last_free={5: now - datetime.timedelta(minutes=4)},
        last_off={5: now - datetime.timedelta(minutes=2)},
        learnt=learnt,
    )
    # then the first is answered at 10:06 by engineer 5, the second at 10:10 by engineer 6
    assert [(row.ticket, row.expected_minutes) for row in forecast.rows] == [(1, 6.0), (2, 10.0)]
