"""bench_forecast: the forecast replayed against generated history (tickets.forecast.bench)."""

import io

from django.core.management import call_command

from tickets.forecast import bench


def test_the_bench_prints_recall_false_alarms_and_brier_beside_the_warning():
    # given
    out = io.StringIO()
    # when one desk, two days learnt from and one replayed
    call_command("bench_forecast", seeds=1, days=3, learn_days=2, stdout=out)
    # then
    text = out.getvalue()
    for line in (
        "recall 30 min ahead",
        "recall 60 min ahead",
        "false per engineer-day",
        "Brier score",
        "80 % warning",
    ):
        assert line in text


def test_the_forecast_beats_the_warning_thirty_minutes_ahead_on_a_generated_week():
    # given one generated desk: two weeks learnt from, one replayed
    result = bench.run(seeds=1, days=21, learn_days=14, monte_carlo_every=0)
    # when
    forecast, warning = result.figures(0.4)
    # then
    assert forecast.recall_30 > warning.recall_30
    assert forecast.brier < warning.brier


def test_a_ticket_answered_late_counts_as_a_breach_and_one_flagged_in_time_as_recalled():
    # given a desk with one ticket that breached, forecast at 0.9 half an hour before its deadline
    history = bench.History(days=2, learn_days=1, engineers={1: 1.0}, evaluated_engineer_days=1)
    ticket = bench.Ticket(
        id=1, arrived=1000.0, priority=4, kind="question", product=1, due=1120.0, answered=1130.0
    )
    history.tickets.append(ticket)
    seen = {1: {1090: bench.Snapshot(probability=0.9, expected=40.0)}}
    # when
    forecast, warning = bench.score(history, seen, threshold=0.5)
    # then
    assert (forecast.breaches, forecast.recall_30, forecast.brier) == (1, 1.0, (0.9 - 1) ** 2)
    assert (warning.recall_30, warning.alarms) == (0.0, 1)
