"""Workshops: two hours online, requested by the institution admin, scheduled by vendor staff.
Scheduling draws one unit of the contract's workshop allotment; giving it back is a reversing
ledger entry."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from organizations.models import User
from packages.errors import QuotaExhausted
from packages.models import Channel, Product
from packages.selectors import allotment_get, subscription_in_force

from ..models import WORKSHOP_LENGTH, Workshop
from ..permissions import is_vendor_staff, require_booking_admin, require_vendor_person, require_workshops
from ..selectors import workshop_participant_choices
from .common import clean_dates, format_when, in_portal_language, notify, person_lock
from .engine import booking_act, booking_create, effect, units_cancel, units_draw

PAGE_INSTITUTION = "workshop-list"
PAGE_VENDOR = "vendor-workshops"


def workshop_request(
    *,
    actor: User,
    topic: str,
    product: Product | None,
    preferred_dates: list,
    participants: int,
) -> Workshop:
    """The institution admin asks for a workshop on two or three preferred days. Refused with
    FeatureLocked on a contract without workshops and QuotaExhausted (with the renewal date) when
    none are left; nothing is drawn yet. Each call is a new request."""
    institution = actor.institution
    require_booking_admin(actor, institution)
    require_workshops(institution)
    subscription = subscription_in_force(institution=institution)
    allotment = allotment_get(subscription=subscription, channel=Channel.WORKSHOPS)
    if allotment.remaining == 0:
        raise QuotaExhausted(
            channel=Channel.WORKSHOPS, allotment=allotment.allotment, renews_on=subscription.renews_on
        )
    days = clean_dates(preferred_dates, field="preferred_dates", minimum=2, maximum=3)
    if participants is None or participants < 1:
        raise ValidationError({"participants": _("At least one participant is expected.")})
    workshop = Workshop(
        institution=institution,
        requested_by=actor,
        topic=topic.strip(),
        product=product,
        preferred_dates=[day.isoformat() for day in days],
        participants=participants,
    )
    with in_portal_language():
        return booking_create(
            actor=actor,
            booking=workshop,
            page=PAGE_VENDOR,
            subject=lambda: _("Workshop requested: %(institution)s") % {"institution": institution.name},
            body=lambda: (
                _(
                    "%(institution)s asks for a workshop on “%(topic)s” for %(participants)s people, "
                    "on one of these days: %(dates)s."
                )
                % {
                    "institution": institution.name,
                    "topic": workshop.topic,
                    "participants": participants,
                    "dates": ", ".join(workshop.preferred_dates),
                }
            ),
        )


@effect(Workshop, "schedule")
def _schedule(
    *, actor: User, booking: Workshop, now, starts_at: datetime.datetime, trainer: User, meeting_url: str
):
    require_vendor_person(trainer, "trainer")
    if starts_at <= now:
        raise ValidationError({"starts_at": _("The workshop must start in the future.")})
    ends_at = starts_at + WORKSHOP_LENGTH
    person_lock(trainer)
    busy = Workshop.objects.filter(
        trainer=trainer,
        status__in=[Workshop.Status.SCHEDULED, Workshop.Status.HELD],
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).exclude(pk=booking.pk)
    if busy.exists():
        raise ValidationError(
            {"trainer": _("%(trainer)s already gives a workshop at that time.") % {"trainer": trainer}},
        )
    units_draw(actor=actor, booking=booking, note=booking.topic)
    booking.starts_at, booking.ends_at = starts_at, ends_at
    booking.trainer, booking.meeting_url, booking.scheduled_at = trainer, meeting_url, now
    booking.full_clean(exclude=["status"])
    notify(
        institution=booking.institution,
        page=PAGE_INSTITUTION,
        subject=lambda: _("Workshop scheduled: %(topic)s") % {"topic": booking.topic},
        body=lambda: (
            _(
                "Your workshop “%(topic)s” is on %(when)s (2 hours, online) with %(trainer)s. Meeting link: %(url)s"
            )
            % {
                "topic": booking.topic,
                "when": format_when(starts_at),
                "trainer": trainer.get_full_name() or trainer.username,
                "url": meeting_url,
            }
        ),
    )
    return ["starts_at", "ends_at", "trainer", "meeting_url", "scheduled_at"], ""


@effect(Workshop, "decline")
def _decline(*, actor: User, booking: Workshop, now, reason: str):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason the institution will read.")})
    booking.decline_reason, booking.closed_at = reason[:500], now
    notify(
        institution=booking.institution,
        page=PAGE_INSTITUTION,
        subject=lambda: _("Workshop request declined: %(topic)s") % {"topic": booking.topic},
        body=lambda: (
            _("Your workshop request “%(topic)s” was declined: %(reason)s")
            % {"topic": booking.topic, "reason": booking.decline_reason}
        ),
    )
    return ["decline_reason", "closed_at"], reason


@effect(Workshop, "cancel")
def _cancel(*, actor: User, booking: Workshop, now, reason: str = ""):
    fields = units_cancel(actor=actor, booking=booking, now=now, note=_("Workshop cancelled"))
    booking.decline_reason = (reason or "").strip()[:500]

    def outcome() -> str:
        if booking.starts_at is None:
            return ""
        if booking.is_unit_returned:
            return _("The workshop unit was given back to your allotment.")
        return _("It was cancelled less than 48 hours before the start, so the unit stays used.")

    def subject() -> str:
        return _("Workshop cancelled: %(topic)s") % {"topic": booking.topic}

    def body() -> str:
        return (
            _("The workshop “%(topic)s” was cancelled.") % {"topic": booking.topic} + " " + outcome()
        ).strip()

    notify(institution=booking.institution, page=PAGE_INSTITUTION, subject=subject, body=body)
    if not is_vendor_staff(actor):
        notify(institution=booking.institution, to_vendor=True, page=PAGE_VENDOR, subject=subject, body=body)
    return [*fields, "decline_reason"], reason or ""


@effect(Workshop, "held")
def _held(*, actor: User, booking: Workshop, now, attended: int):
    if attended is None or attended < 0:
        raise ValidationError({"attended": _("Give how many people took part.")})
    if booking.starts_at > now:
        raise ValidationError({"attended": _("A workshop can be marked held once it has started.")})
    booking.attended, booking.closed_at = attended, now
    notify(
        institution=booking.institution,
        page=PAGE_INSTITUTION,
        subject=lambda: _("Workshop held: %(topic)s") % {"topic": booking.topic},
        body=lambda: (
            _("The workshop “%(topic)s” was held with %(attended)s participants.")
            % {"topic": booking.topic, "attended": attended}
        ),
    )
    return ["attended", "closed_at"], ""


@effect(Workshop, "participants")
def _participants(*, actor: User, booking: Workshop, now, people: list[int]):
    wanted = set(people)
    found = list(workshop_participant_choices(workshop=booking).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationError({"people": _("Choose people of the workshop's institution.")})
    booking.attendees.set(found)
    booking.attended = len(found)
    return ["attended"], _("Participants recorded: %(count)s") % {"count": len(found)}


def workshop_schedule(
    *, actor: User, workshop: Workshop, starts_at: datetime.datetime, trainer: User, meeting_url: str
) -> Workshop:
    """Vendor staff fix the time, trainer and meeting link, drawing one workshop unit. The trainer's
    row is locked while their other workshops are checked, so two schedulings of one trainer for
    overlapping two hours cannot both succeed. Raises QuotaExhausted (nothing written) when the
    last unit went meanwhile, and the 409 state error if it was scheduled already."""
    return booking_act(
        actor=actor,
        booking=workshop,
        action="schedule",
        starts_at=starts_at,
        trainer=trainer,
        meeting_url=meeting_url,
    )


def workshop_decline(*, actor: User, workshop: Workshop, reason: str) -> Workshop:
    """Vendor staff turn a request down with a reason; nothing was drawn, so nothing is given back."""
    return booking_act(actor=actor, booking=workshop, action="decline", reason=reason)


def workshop_cancel(*, actor: User, workshop: Workshop, reason: str = "") -> Workshop:
    """Cancel a requested or scheduled workshop, by the institution admin or by vendor staff. A
    scheduled one gives its unit back (a reversing ledger entry) when the vendor cancels, or
    when the institution cancels more than 48 hours before the start; later, it stays used.
    Running it twice: the second is the 409 state error."""
    return booking_act(actor=actor, booking=workshop, action="cancel", reason=reason)


def workshop_mark_held(*, actor: User, workshop: Workshop, attended: int) -> Workshop:
    """Vendor staff record that a scheduled workshop took place (or that nobody came: 0), after
    its start. The unit stays used either way."""
    return booking_act(actor=actor, booking=workshop, action="held", attended=attended)


def workshop_participants_record(*, actor: User, workshop: Workshop, people: list[int]) -> Workshop:
    """Vendor staff name who joined a held workshop, among the active people of its institution
    (anyone else: ValidationError on `people`). Replaces the names given before, so a mistake is
    corrected by recording again; the head count (`attended`) becomes the number named. Harmless
    to repeat."""
    return booking_act(actor=actor, booking=workshop, action="participants", people=people)
