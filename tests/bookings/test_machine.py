"""The booking machine's tables, every (status, action) pair of every kind: the services take the
move the table has and refuse every other one with the 409 state error, the status unchanged."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings import services
from bookings.machine import MACHINES, ONBOARDING, ONSITE_INCLUDED, ONSITE_PRICED, WORKSHOP
from bookings.models import OnboardingItem, OnsiteRequest, Workshop
from tests.factories.bookings import future_day, future_time, onsite_requested, product, workshop_requested

# What the product promises, written out independently of bookings.machine: every pair not
# listed is refused.
EXPECTED = {
    "workshop": {
        ("requested", "schedule"): "scheduled",
        ("requested", "decline"): "declined",
        ("requested", "cancel"): "cancelled",
        ("scheduled", "cancel"): "cancelled",
        ("scheduled", "held"): "held",
        ("held", "participants"): "held",
    },
    "onsite_included": {
        ("requested", "confirm"): "confirmed",
        ("requested", "cancel"): "cancelled",
        ("confirmed", "complete"): "completed",
        ("confirmed", "cancel"): "cancelled",
    },
    "onsite_priced": {
        ("requested", "quote"): "quoted",
        ("requested", "cancel"): "cancelled",
        ("quoted", "accept"): "accepted",
        ("quoted", "decline"): "quote_declined",
        ("quoted", "cancel"): "cancelled",
        ("accepted", "confirm"): "confirmed",
        ("accepted", "cancel"): "cancelled",
        ("confirmed", "complete"): "completed",
        ("confirmed", "cancel"): "cancelled",
    },
    "onboarding": {
        ("pending", "schedule"): "scheduled",
        ("scheduled", "schedule"): "scheduled",
        ("scheduled", "complete"): "completed",
    },
}
STATUSES = {
    "workshop": Workshop.Status.values,
    "onsite_included": OnsiteRequest.Status.values,
    "onsite_priced": OnsiteRequest.Status.values,
    "onboarding": OnboardingItem.Status.values,
}
ACTIONS = {
    "workshop": ["schedule", "decline", "cancel", "held", "participants"],
    "onsite_included": ["quote", "accept", "decline", "confirm", "complete", "cancel"],
    "onsite_priced": ["quote", "accept", "decline", "confirm", "complete", "cancel"],
    "onboarding": ["schedule", "complete"],
}
PAIRS = [(kind, status, action) for kind in EXPECTED for status in STATUSES[kind] for action in ACTIONS[kind]]


def test_every_table_is_the_expected_one():
    # given
    machines = {machine.name: machine for machine in MACHINES}
    # when
    found = {
        name: {
            (status, action): machine.table[action].target
            for status in STATUSES[name]
            for action in machine.actions
            if machine.allows(status, action)
        }
        for name, machine in machines.items()
    }
    # then
    assert found == EXPECTED
    assert {name: sorted(machine.actions) for name, machine in machines.items()} == {
        name: sorted(actions) for name, actions in ACTIONS.items()
    }


def _booking(kind, *, admin, standard_admin, staff, status):
    """A booking of the kind forced into `status`, with the fields every move from there needs:
    started an hour ago (a workshop can be marked held, an onboarding item completed), on-site
    days in the future with a quote still valid."""
    started = timezone.now() - datetime.timedelta(hours=1)
    if kind == "workshop":
        booking = workshop_requested(admin)
        fields = {"starts_at": started, "ends_at": started + datetime.timedelta(hours=2)}
    elif kind == "onboarding":
        booking = services.onboarding_record(
            actor=staff,
            institution=admin.institution,
            product=product(),
            version="2026",
            purchased_on=datetime.date(2026, 1, 5),
        )
        fields = {"starts_at": started}
    else:
        booking = onsite_requested(admin if kind == "onsite_included" else standard_admin, days=2, first=10)
        fields = {"day_rate": Decimal("1000.00"), "vat_rate": Decimal("0.2"), "valid_until": future_day(5)}
    type(booking).objects.filter(pk=booking.pk).update(status=status, **fields)
    booking.refresh_from_db()
    return booking


def _data(kind, action, trainer):
    if action == "schedule":
        if kind == "workshop":
            return {
                "starts_at": future_time(20),
                "trainer": trainer,
                "meeting_url": "https://meet.example.test/x",
            }
        return {"starts_at": future_time(3), "engineer": trainer}
    return {
        "decline": {"reason": "Takvim dolu"} if kind == "workshop" else {},
        "cancel": {"reason": ""},
        "held": {"attended": 0},
        "participants": {"people": []},
        "quote": {"day_rate": Decimal("1000"), "valid_until": future_day(5)},
        "accept": {},
        "confirm": {"engineer": trainer},
        "complete": {"report": "Tamamlandı"} if kind != "onboarding" else {"note": ""},
    }[action]


def _act(*, actor, booking, action, data) -> str:
    """The status the service moved the booking to, or the code of its refusal."""
    try:
        return services.booking_act(actor=actor, booking=booking, action=action, **data).status
    except ValidationError as error:
        return error.code


@pytest.mark.parametrize(("kind", "status", "action"), PAIRS)
def test_service_takes_exactly_the_moves_of_the_table(
    kind, status, action, admin, standard_admin, staff, trainer
):
    # given
    booking = _booking(kind, admin=admin, standard_admin=standard_admin, staff=staff, status=status)
    machine = {"workshop": WORKSHOP, "onsite_included": ONSITE_INCLUDED, "onsite_priced": ONSITE_PRICED}.get(
        kind, ONBOARDING
    )
    side = machine.side(action)
    actor = {"vendor": staff, "institution": getattr(booking, "requested_by", staff), "either": staff}[side]
    expected = EXPECTED[kind].get((status, action))
    # when
    outcome = _act(actor=actor, booking=booking, action=action, data=_data(kind, action, trainer))
    # then: the move the table has, or the state error and the status unchanged
    booking.refresh_from_db()
    assert (outcome, booking.status) == (expected or "invalid_transition", expected or status)
