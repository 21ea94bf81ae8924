"""When a ticket is *at risk*: the one rule the board, the API, the alert and the bench share, pure
code over minutes.

The forecast is refreshed every minute, and a single refresh's probability wavers: a ticket near
its deadline crosses any threshold now and then and is answered in time all the same. So one
refresh above the threshold is not enough:

- a ticket becomes at risk once its breach probability has stayed at or above `threshold` at
  every refresh for `persist` minutes;
- a ticket the forecast sees for the first time (just filed, or the stored forecast was lost) has
  no earlier refresh to wait for: it is at risk at once when it is above the threshold;
- once at risk a ticket stays at risk until its probability falls below `clear` (or it is
  answered): it does not leave the board, and come back, as its probability wavers around the
  threshold.

`risk_step` takes a ticket's state at the previous refresh and its probability now and gives its
state now."""

from __future__ import annotations

from typing import NamedTuple


class RiskState(NamedTuple):
    """A ticket's standing at one refresh, in minutes on any one clock: since when its probability
    has stayed at or above the threshold (None while below it), and whether it is at risk."""

    over_since: float | None
    at_risk: bool


def risk_step(
    previous: RiskState | None, probability: float, now: float, threshold: float, clear: float, persist: float
) -> RiskState:
    """The ticket's state at `now` from the one at the previous refresh (None: first seen)."""
    if probability < threshold:
        over_since = None
    elif previous is not None and previous.over_since is not None:
        over_since = previous.over_since
    else:
        over_since = now
    if previous is None:
        at_risk = over_since is not None
    elif previous.at_risk:
        at_risk = probability >= min(clear, threshold)
    else:
        at_risk = over_since is not None and now - over_since >= persist
    return RiskState(over_since, at_risk)
