"""When a ticket is at risk (tickets.forecast.risk), refresh after refresh, against cases worked
out by hand: threshold 0.55, four minutes over it, at risk until below 0.2."""

from tickets.forecast.risk import RiskState, risk_step

RULE = {"threshold": 0.55, "clear": 0.2, "persist": 4.0}


def states(probabilities: list[tuple[float, float]], previous: RiskState | None = None) -> list[bool]:
    """Whether the ticket is at risk after each (minute, probability) refresh."""
    at_risk = []
    for now, probability in probabilities:
        previous = risk_step(previous, probability=probability, now=now, **RULE)
        at_risk.append(previous.at_risk)
    return at_risk


def test_a_ticket_seen_for_the_first_time_above_the_threshold_is_at_risk_at_once():
    # when a ticket just filed is forecast at 0.7
    state = risk_step(None, probability=0.7, now=100.0, **RULE)
    # then
    assert state == RiskState(over_since=100.0, at_risk=True)


def test_a_ticket_seen_below_the_threshold_is_at_risk_after_four_minutes_over_it():
    # when it is seen at 0.3, then above the threshold from minute 101 on
    at_risk = states([(100.0, 0.3), (101.0, 0.6), (102.0, 0.6), (103.0, 0.7), (104.0, 0.6), (105.0, 0.6)])
    # then at risk at 105, four minutes after 101, not before
    assert at_risk == [False, False, False, False, False, True]


def test_one_refresh_below_the_threshold_starts_the_four_minutes_again():
    # when over at 101–103, under at 104, over again from 105
    at_risk = states(
        [(100.0, 0.3), (101.0, 0.6), (102.0, 0.6), (103.0, 0.6), (104.0, 0.5)]
        + [(105.0 + i, 0.6) for i in range(5)]
    )
    # then at risk only at 109
    assert at_risk == [False] * 9 + [True]


def test_a_ticket_at_risk_stays_so_until_its_probability_falls_below_the_clear_level():
    # given a ticket at risk since its filing
    first = risk_step(None, probability=0.8, now=100.0, **RULE)
    # when its probability falls to 0.3, to 0.2, then to 0.1, then rises to 0.6 again
    at_risk = states([(101.0, 0.3), (102.0, 0.2), (103.0, 0.1), (104.0, 0.6), (108.0, 0.6)], first)
    # then it stays at risk down to 0.2, leaves below it, and needs four minutes over again
    assert at_risk == [True, True, False, False, True]


def test_the_minutes_count_on_the_clock_not_the_refreshes():
    # when refreshes come at 101, 101.5, 102 and 105 (one after a filing, one after an answer)
    at_risk = states([(100.0, 0.1), (101.0, 0.6), (101.5, 0.6), (102.0, 0.6), (105.0, 0.6)])
    # then at risk at 105, four minutes after 101
    assert at_risk == [False, False, False, False, True]
