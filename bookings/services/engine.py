"""The one way a booking changes status. `booking_act` checks who may take the action (the
table's side), locks the booking's row, asks its kind's table (`bookings.machine`) where the
action leads from the current status (the 409 state error when nowhere), runs the kind's effect
of the action (fields, ledger, e-mails), saves the status and writes the history event — all in
one transaction. The effects are registered per kind and action by the kind's module."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from organizations.models import User
from packages.services import quota_consume, quota_release

from ..machine import EITHER, INSTITUTION, VENDOR, machine_for
from ..models import Booking
from ..permissions import is_vendor_staff, require_booking_admin, require_booking_staff
from .common import Text, event_add, in_portal_language, notify

# (model name, action) -> effect(actor=, booking=, now=, **data) -> (fields to save, event note)
EFFECTS: dict[tuple[str, str], Callable] = {}


def effect(model: type, action: str):
    """Register the effect of `action` on bookings of `model`."""

    def register(function):
        EFFECTS[(model._meta.model_name, action)] = function
        return function

    return register


def require_side(actor: User, booking, side: str) -> None:
    if side == VENDOR:
        require_booking_staff(actor)
    elif side == INSTITUTION:
        require_booking_admin(actor, booking.institution)
    elif side == EITHER:
        if is_vendor_staff(actor):
            require_booking_staff(actor)
        else:
            require_booking_admin(actor, booking.institution)


def booking_act(*, actor: User, booking, action: str, **data):
    """Take `action` on the booking as its kind's table allows. Raises PermissionDenied for the
    wrong side, the 409 state error when the table has no such move from the current status (the
    row is locked first, so of two people acting at once the second finds the status changed),
    and whatever the effect refuses (nothing written then). Running it twice: the second is the
    state error, except for actions that lead back to their own status (moving an onboarding
    item, naming a workshop's participants), which repeat harmlessly."""
    machine = machine_for(booking)
    if action not in machine.table:
        raise ValueError(action)
    require_side(actor, booking, machine.side(action))
    apply = EFFECTS[(booking._meta.model_name, action)]
    now = timezone.now()
    with transaction.atomic():
        locked = type(booking).objects.select_for_update().get(pk=booking.pk)
        target = machine_for(locked).target(locked.status, action)
        with in_portal_language():
            fields, note = apply(actor=actor, booking=locked, now=now, **data)
        changed = locked.status != target
        locked.status = target
        locked.save(update_fields=["status", *fields])
        if changed or note:
            event_add(actor=actor, booking=locked, note=note)
    return locked


def units_draw(*, actor: User, booking: Booking, note: str) -> None:
    """Draw the booking's units from its channel (QuotaExhausted, nothing written, when too few
    remain). Joins the caller's transaction."""
    if booking.units:
        quota_consume(
            actor=actor,
            institution=booking.institution,
            channel=booking.CHANNEL,
            reference_type=booking.REFERENCE,
            reference_id=booking.pk,
            units=booking.units,
            note=note[:200],
        )


def units_come_back(*, actor: User, booking: Booking, now: datetime.datetime) -> bool:
    """Whether cancelling now gives the drawn units back: always when the vendor cancels; when the
    institution cancels, only more than the free-cancellation period (48 hours by default) before
    the booked service begins."""
    if not machine_for(booking).holds_units(booking.status) or not booking.units:
        return False
    if is_vendor_staff(actor):
        return True
    return booking.first_moment() - now > settings.WORKSHOP_FREE_CANCELLATION


def units_cancel(*, actor: User, booking: Booking, now: datetime.datetime, note: str) -> list[str]:
    """The ledger side of a cancellation: give the units back (reversing entries, one per use)
    when `units_come_back` says so, and close the booking. Returns the fields it set."""
    if units_come_back(actor=actor, booking=booking, now=now):
        booking.units_returned = quota_release(
            actor=actor,
            institution=booking.institution,
            reference_type=booking.REFERENCE,
            reference_id=booking.pk,
            note=note[:200],
            at=now,
        )
    booking.closed_at = now
    return ["units_returned", "closed_at"]


def booking_create(*, actor: User, booking: Booking, subject: Text, body: Text, page: str) -> Booking:
    """Save a new request (validated), its first history event and the e-mail to the vendor staff
    who take bookings, in one transaction. Each call is a new request."""
    booking.full_clean()
    with transaction.atomic():
        booking.save()
        event_add(actor=actor, booking=booking)
        notify(institution=booking.institution, to_vendor=True, page=page, subject=subject, body=body)
    return booking
