"""Workshops: two hours online, requested by the institution admin, scheduled by vendor staff.
Scheduling draws one unit of the contract's workshop allotment; giving it back is a reversing
ledger entry."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import User
from packages.errors import QuotaExhausted
from packages.models import Channel, Product
from packages.selectors import allotment_get, subscription_in_force
from packages.services import quota_consume, quota_release

from ..models import WORKSHOP_LENGTH, Workshop
from ..permissions import (
    is_vendor_staff,
    require_booking_admin,
    require_booking_staff,
    require_vendor_person,
    require_workshops,
)
from ..selectors import workshop_participant_choices
from .common import (
    clean_dates,
    event_add,
    format_when,
    in_portal_language,
    lock_in_status,
    notify,
    person_lock,
)

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
    workshop.full_clean()
    with transaction.atomic():
        workshop.save()
        event_add(actor=actor, booking=workshop)
        with in_portal_language():
            notify(
                institution=institution,
                to_vendor=True,
                page=PAGE_VENDOR,
                subject=_("Workshop requested: %(institution)s") % {"institution": institution.name},
                body=_(
                    "%(institution)s asks for a workshop on “%(topic)s” for %(participants)s people, "
                    "on one of these days: %(dates)s."
                )
                % {
                    "institution": institution.name,
                    "topic": workshop.topic,
                    "participants": participants,
                    "dates": ", ".join(workshop.preferred_dates),
                },
            )
    return workshop


def workshop_schedule(
    *, actor: User, workshop: Workshop, starts_at: datetime.datetime, trainer: User, meeting_url: str
) -> Workshop:
    """Vendor staff fix the time, trainer and meeting link, drawing one workshop unit. The trainer's
    row is locked while their other workshops are checked, so two schedulings of one trainer for
    overlapping two hours cannot both succeed. Raises QuotaExhausted (nothing written) when the
    last unit went meanwhile, and the 409 state error if it was scheduled already."""
    require_booking_staff(actor)
    require_vendor_person(trainer, "trainer")
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("The workshop must start in the future.")})
    ends_at = starts_at + WORKSHOP_LENGTH
    with transaction.atomic():
        workshop = lock_in_status(Workshop, workshop, Workshop.Status.REQUESTED)
        person_lock(trainer)
        busy = Workshop.objects.filter(
            trainer=trainer,
            status__in=[Workshop.Status.SCHEDULED, Workshop.Status.HELD],
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        ).exclude(pk=workshop.pk)
        if busy.exists():
            raise ValidationError(
                {"trainer": _("%(trainer)s already gives a workshop at that time.") % {"trainer": trainer}},
            )
        quota_consume(
            actor=actor,
            institution=workshop.institution,
            channel=Channel.WORKSHOPS,
            reference_type=Workshop.REFERENCE,
            reference_id=workshop.pk,
            note=workshop.topic[:200],
        )
        workshop.status = Workshop.Status.SCHEDULED
        workshop.starts_at = starts_at
        workshop.ends_at = ends_at
        workshop.trainer = trainer
        workshop.meeting_url = meeting_url
        workshop.scheduled_at = timezone.now()
        workshop.full_clean()
        workshop.save(
            update_fields=["status", "starts_at", "ends_at", "trainer", "meeting_url", "scheduled_at"]
        )
        event_add(actor=actor, booking=workshop)
        with in_portal_language():
            notify(
                institution=workshop.institution,
                page=PAGE_INSTITUTION,
                subject=_("Workshop scheduled: %(topic)s") % {"topic": workshop.topic},
                body=_(
                    "Your workshop “%(topic)s” is on %(when)s (2 hours, online) with %(trainer)s. "
                    "Meeting link: %(url)s"
                )
                % {
                    "topic": workshop.topic,
                    "when": format_when(starts_at),
                    "trainer": trainer.get_full_name() or trainer.username,
                    "url": meeting_url,
                },
            )
    return workshop


def workshop_decline(*, actor: User, workshop: Workshop, reason: str) -> Workshop:
    """Vendor staff turn a request down with a reason; nothing was drawn, so nothing is given back."""
    require_booking_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason the institution will read.")})
    with transaction.atomic():
        workshop = lock_in_status(Workshop, workshop, Workshop.Status.REQUESTED)
        workshop.status = Workshop.Status.DECLINED
        workshop.decline_reason = reason[:500]
        workshop.closed_at = timezone.now()
        workshop.save(update_fields=["status", "decline_reason", "closed_at"])
        event_add(actor=actor, booking=workshop, note=reason)
        with in_portal_language():
            notify(
                institution=workshop.institution,
                page=PAGE_INSTITUTION,
                subject=_("Workshop request declined: %(topic)s") % {"topic": workshop.topic},
                body=_("Your workshop request “%(topic)s” was declined: %(reason)s")
                % {"topic": workshop.topic, "reason": workshop.decline_reason},
            )
    return workshop


def workshop_unit_comes_back(*, actor: User, workshop: Workshop, now: datetime.datetime) -> bool:
    """Whether cancelling now gives the unit back: always when the vendor cancels; when the
    institution cancels, only more than 48 hours before the start."""
    if workshop.status != Workshop.Status.SCHEDULED:
        return False
    if is_vendor_staff(actor):
        return True
    return workshop.starts_at - now > settings.WORKSHOP_FREE_CANCELLATION


def workshop_cancel(*, actor: User, workshop: Workshop, reason: str = "") -> Workshop:
    """Cancel a requested or scheduled workshop, by the institution admin or by vendor staff. A
    scheduled one gives its unit back (a reversing ledger entry) when the vendor cancels, or
    when the institution cancels more than 48 hours before the start; later, it stays used.
    Running it twice: the second is the 409 state error."""
    if not is_vendor_staff(actor):
        require_booking_admin(actor, workshop.institution)
    else:
        require_booking_staff(actor)
    now = timezone.now()
    with transaction.atomic():
        workshop = lock_in_status(Workshop, workshop, Workshop.Status.REQUESTED, Workshop.Status.SCHEDULED)
        returned = workshop_unit_comes_back(actor=actor, workshop=workshop, now=now)
        if returned:
            quota_release(
                actor=actor,
                institution=workshop.institution,
                reference_type=Workshop.REFERENCE,
                reference_id=workshop.pk,
                note=_("Workshop cancelled")[:200],
                at=now,
            )
        workshop.status = Workshop.Status.CANCELLED
        workshop.is_unit_returned = returned
        workshop.decline_reason = (reason or "").strip()[:500]
        workshop.closed_at = now
        workshop.save(update_fields=["status", "is_unit_returned", "decline_reason", "closed_at"])
        event_add(actor=actor, booking=workshop, note=reason or "")
        with in_portal_language():
            if workshop.starts_at is None:
                outcome = ""
            elif returned:
                outcome = _("The workshop unit was given back to your allotment.")
            else:
                outcome = _("It was cancelled less than 48 hours before the start, so the unit stays used.")
            subject = _("Workshop cancelled: %(topic)s") % {"topic": workshop.topic}
            body = (
                _("The workshop “%(topic)s” was cancelled.") % {"topic": workshop.topic} + " " + outcome
            ).strip()
            notify(institution=workshop.institution, page=PAGE_INSTITUTION, subject=subject, body=body)
            if not is_vendor_staff(actor):
                notify(
                    institution=workshop.institution,
                    to_vendor=True,
                    page=PAGE_VENDOR,
                    subject=subject,
                    body=body,
                )
    return workshop


def workshop_mark_held(*, actor: User, workshop: Workshop, attended: int) -> Workshop:
    """Vendor staff record that a scheduled workshop took place (or that nobody came: 0), after
    its start. The unit stays used either way."""
    require_booking_staff(actor)
    if attended is None or attended < 0:
        raise ValidationError({"attended": _("Give how many people took part.")})
    with transaction.atomic():
        workshop = lock_in_status(Workshop, workshop, Workshop.Status.SCHEDULED)
        if workshop.starts_at > timezone.now():
            raise ValidationError({"attended": _("A workshop can be marked held once it has started.")})
        workshop.status = Workshop.Status.HELD
        workshop.attended = attended
        workshop.closed_at = timezone.now()
        workshop.save(update_fields=["status", "attended", "closed_at"])
        event_add(actor=actor, booking=workshop)
        with in_portal_language():
            notify(
                institution=workshop.institution,
                page=PAGE_INSTITUTION,
                subject=_("Workshop held: %(topic)s") % {"topic": workshop.topic},
                body=_("The workshop “%(topic)s” was held with %(attended)s participants.")
                % {"topic": workshop.topic, "attended": attended},
            )
    return workshop


def workshop_participants_record(*, actor: User, workshop: Workshop, people: list[int]) -> Workshop:
    """Vendor staff name who joined a held workshop, among the active people of its institution
    (anyone else: ValidationError on `people`). Replaces the names given before, so a mistake is
    corrected by recording again; the head count (`attended`) becomes the number named. Harmless
    to repeat."""
    require_booking_staff(actor)
    wanted = set(people)
    with transaction.atomic():
        workshop = lock_in_status(Workshop, workshop, Workshop.Status.HELD)
        found = list(workshop_participant_choices(workshop=workshop).filter(pk__in=wanted))
        if len(found) != len(wanted):
            raise ValidationError({"people": _("Choose people of the workshop's institution.")})
        workshop.attendees.set(found)
        workshop.attended = len(found)
        workshop.save(update_fields=["attended"])
        event_add(
            actor=actor,
            booking=workshop,
            note=_("Participants recorded: %(count)s") % {"count": len(found)},
        )
    return workshop
