"""Handling rates learnt from the desk's own first responses, pure code over plain tuples.

A first response's *handling time* is the service time the engineer spent getting to it: from
the later of their previous first response, the ticket's filing and their
last coming on duty, to this response, in service minutes of the desk's window. (An engineer answering back to back is measured from the
previous answer; one who was idle, from the moment the ticket arrived.) Gaps longer than
`GAP_MINUTES` are an engineer away from the queue rather than a ticket's work and are dropped.
The handling rate, in first responses per service hour, is 60 over the mean handling time.

The mean is one multiplicative model, learnt in three passes, each factor pulled toward 1 by
`PRIOR_RESPONSES` responses' worth of the desk's average (so a factor rests on its own figures
only once there are enough of them):

    mean(engineer, kind, product) = desk mean × kind factor × engineer factor × product factor

A new engineer, kind or product has factor 1: the desk's average. With no history at all the desk
mean is `DEFAULT_MEAN_MINUTES`. The spread is one coefficient of variation over all responses,
measured on each response's ratio to its predicted mean."""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

GAP_MINUTES = 240.0
PRIOR_RESPONSES = 10.0
DEFAULT_MEAN_MINUTES = 20.0
DEFAULT_CV = 0.8


class Response(NamedTuple):
    """One first response of the history, already measured in service minutes."""

    engineer: int
    kind: str
    product: int | None
    minutes: float


class Timeline(NamedTuple):
    """One first response as recorded, in service minutes on one axis (the desk's clock)."""

    engineer: int
    kind: str
    product: int | None
    filed: float
    answered: float


def handling_times(
    timelines: Iterable[Timeline],
    *,
    duty_starts: dict[int, list[float]] | None = None,
    gap: float = GAP_MINUTES,
) -> list[Response]:
    """Each first response's handling time (see the module docstring). `duty_starts` holds, per
    engineer, the moments they came on duty (sorted): work never began before the last of them,
    so a break or a shift change is not counted as handling."""
    previous: dict[int, float] = {}
    starts = duty_starts or {}
    responses = []
    for item in sorted(timelines, key=lambda item: (item.answered, item.engineer)):
        began = max(item.filed, previous.get(item.engineer, item.filed))
        on_times = starts.get(item.engineer)
        if on_times:
            came = bisect.bisect_right(on_times, item.answered)
            if came:
                began = max(began, on_times[came - 1])
        previous[item.engineer] = item.answered
        minutes = item.answered - began
        if 0.0 < minutes <= gap:
            responses.append(Response(item.engineer, item.kind, item.product, minutes))
    return responses


class HandlingRates(NamedTuple):
    mean_minutes: float
    cv: float
    kind_factor: dict
    engineer_factor: dict
    product_factor: dict
    responses: int

    def mean(self, engineer: int | None, kind: str, product: int | None) -> float:
        return (
            self.mean_minutes
            * self.kind_factor.get(kind, 1.0)
            * self.engineer_factor.get(engineer, 1.0)
            * self.product_factor.get(product, 1.0)
        )

    def handling(self, engineer: int | None, kind: str, product: int | None) -> tuple[float, float]:
        """(mean, variance) of a handling time: the simulation's `handling` function."""
        mean = self.mean(engineer, kind, product)
        return mean, (self.cv * mean) ** 2

    def per_hour(self, engineer: int | None, kind: str, product: int | None) -> float:
        """First responses per service hour."""
        return 60.0 / self.mean(engineer, kind, product)


def _factors(pairs: list[tuple[object, float]], prior: float) -> dict:
    """Per group, the shrunk mean ratio: (sum of ratios + prior) / (count + prior)."""
    sums: dict = defaultdict(float)
    counts: dict = defaultdict(int)
    for group, ratio in pairs:
        sums[group] += ratio
        counts[group] += 1
    return {group: (sums[group] + prior) / (counts[group] + prior) for group in sums}


def learn(responses: Iterable[Response], *, prior: float = PRIOR_RESPONSES) -> HandlingRates:
    """The handling rates of these responses (see the module docstring)."""
    responses = list(responses)
    if not responses:
        return HandlingRates(DEFAULT_MEAN_MINUTES, DEFAULT_CV, {}, {}, {}, 0)
    desk = sum(response.minutes for response in responses) / len(responses)
    kinds = _factors([(r.kind, r.minutes / desk) for r in responses], prior)
    engineers = _factors([(r.engineer, r.minutes / (desk * kinds[r.kind])) for r in responses], prior)
    products = _factors(
        [(r.product, r.minutes / (desk * kinds[r.kind] * engineers[r.engineer])) for r in responses], prior
    )
    rates = HandlingRates(desk, DEFAULT_CV, kinds, engineers, products, len(responses))
    ratios = [r.minutes / rates.mean(r.engineer, r.kind, r.product) for r in responses]
    if len(ratios) >= 2:
        average = sum(ratios) / len(ratios)
        spread = math.sqrt(sum((ratio - average) ** 2 for ratio in ratios) / (len(ratios) - 1))
        rates = rates._replace(cv=spread / average if average > 0 else DEFAULT_CV)
    return rates


def arrival_profile(
    filings: Iterable[tuple[int, str, int | None, int, int]],
    *,
    service_minutes: float,
    rates: HandlingRates,
    slots: int,
) -> dict[int, tuple[float, ...]]:
    """Per priority and per slot of the desk's day (an hour of service each, `slots` of them), the
    handling work (minutes of an average engineer) filed per service minute: the tickets filed
    over `service_minutes` of the history ((priority, kind, product, slot, count) rows), each
    weighted by its kind's and product's mean. The simulation stretches a ticket's wait by the
    work of higher priorities still to come at that time of day (simulation.Arrivals)."""
    if service_minutes <= 0 or slots <= 0:
        return {}
    per_slot = service_minutes / slots
    load: dict[int, list[float]] = defaultdict(lambda: [0.0] * slots)
    for priority, kind, product, slot, count in filings:
        load[priority][min(max(slot, 0), slots - 1)] += rates.mean(None, kind, product) * count
    return {priority: tuple(work / per_slot for work in works) for priority, works in sorted(load.items())}
