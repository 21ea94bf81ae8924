"""The booking state machine: one transition table per kind of booking. A table maps each action
to the statuses it may start from, the status it leads to and which side may take it; the
services (`bookings.services.engine`) refuse everything else with the 409 state error, so a
status changes only as its table says. `docs/bookings.md` prints the tables."""

from dataclasses import dataclass

from .errors import booking_state_error
from .models import OnboardingItem, OnsiteRequest, Workshop

# Who may take an action: the institution's admin, vendor staff who take bookings, or either.
INSTITUTION = "institution"
VENDOR = "vendor"
EITHER = "either"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    by: str


class Machine:
    """One kind's table: `{action: Transition}`."""

    def __init__(
        self,
        name: str,
        statuses: type,
        table: dict[str, tuple[tuple[str, ...], str, str]],
        *,
        draws: str = "",
    ):
        self.name = name
        self.statuses = statuses
        # The action that draws the booking's units from the allotment; they are held while the
        # booking stays in the status it leads to, and a cancellation from there may give them back.
        self.draws = draws
        self.table = {
            action: Transition(sources=frozenset(sources), target=target, by=by)
            for action, (sources, target, by) in table.items()
        }

    @property
    def actions(self) -> list[str]:
        return list(self.table)

    def allows(self, status: str, action: str) -> bool:
        transition = self.table.get(action)
        return transition is not None and status in transition.sources

    def target(self, status: str, action: str) -> str:
        """The status `action` leads to from `status`; the 409 state error when the table has no
        such move."""
        if not self.allows(status, action):
            raise booking_state_error(self.statuses(status).label)
        return self.table[action].target

    def side(self, action: str) -> str:
        return self.table[action].by

    def holds_units(self, status: str) -> bool:
        return bool(self.draws) and status == self.table[self.draws].target


WS = Workshop.Status
WORKSHOP = Machine(
    "workshop",
    WS,
    {
        "schedule": ((WS.REQUESTED,), WS.SCHEDULED, VENDOR),
        "decline": ((WS.REQUESTED,), WS.DECLINED, VENDOR),
        "cancel": ((WS.REQUESTED, WS.SCHEDULED), WS.CANCELLED, EITHER),
        "held": ((WS.SCHEDULED,), WS.HELD, VENDOR),
        "participants": ((WS.HELD,), WS.HELD, VENDOR),
    },
    draws="schedule",
)

OS = OnsiteRequest.Status
# Days drawn from the allotment only: vendor staff confirm the request as it is.
ONSITE_INCLUDED = Machine(
    "onsite_included",
    OS,
    {
        "quote": ((), OS.QUOTED, VENDOR),
        "accept": ((), OS.ACCEPTED, INSTITUTION),
        "decline": ((), OS.QUOTE_DECLINED, INSTITUTION),
        "confirm": ((OS.REQUESTED,), OS.CONFIRMED, VENDOR),
        "complete": ((OS.CONFIRMED,), OS.COMPLETED, VENDOR),
        "cancel": ((OS.REQUESTED, OS.CONFIRMED), OS.CANCELLED, EITHER),
    },
    draws="confirm",
)
# Some or all days priced at the day rate: quoted, answered, then confirmed once accepted.
ONSITE_PRICED = Machine(
    "onsite_priced",
    OS,
    {
        "quote": ((OS.REQUESTED,), OS.QUOTED, VENDOR),
        "accept": ((OS.QUOTED,), OS.ACCEPTED, INSTITUTION),
        "decline": ((OS.QUOTED,), OS.QUOTE_DECLINED, INSTITUTION),
        "confirm": ((OS.ACCEPTED,), OS.CONFIRMED, VENDOR),
        "complete": ((OS.CONFIRMED,), OS.COMPLETED, VENDOR),
        "cancel": ((OS.REQUESTED, OS.QUOTED, OS.ACCEPTED, OS.CONFIRMED), OS.CANCELLED, EITHER),
    },
    draws="confirm",
)

OB = OnboardingItem.Status
ONBOARDING = Machine(
    "onboarding",
    OB,
    {
        # Scheduling again moves the time or the engineer.
        "schedule": ((OB.PENDING, OB.SCHEDULED), OB.SCHEDULED, VENDOR),
        "complete": ((OB.SCHEDULED,), OB.COMPLETED, VENDOR),
    },
)

MACHINES = (WORKSHOP, ONSITE_INCLUDED, ONSITE_PRICED, ONBOARDING)


def machine_for(booking) -> Machine:
    """The table that moves this booking."""
    if isinstance(booking, Workshop):
        return WORKSHOP
    if isinstance(booking, OnsiteRequest):
        return ONSITE_PRICED if booking.priced_days else ONSITE_INCLUDED
    return ONBOARDING
