import datetime
import logging

from django.db import transaction
from django.utils import timezone

from organizations.models import User
from organizations.roles import Role
from tickets.models import OPEN_STATUSES, Ticket

from ..models import Kind, Mode, Notification, NotificationPreference

logger = logging.getLogger(__name__)

Status = Notification.Status


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def _summary(institution_id: int, day: datetime.date) -> dict:
    start, end = _day_bounds(day)
    tickets = Ticket.objects.for_institution(institution_id)
    return {
        "filed": tickets.filter(created_at__gte=start, created_at__lt=end).count(),
        "breached": tickets.filter(breached_at__gte=start, breached_at__lt=end).count(),
        "open": tickets.filter(status__in=OPEN_STATUSES).count(),
    }


def _recipients(on: datetime.date) -> tuple[list[User], set[int]]:
    admins_off = NotificationPreference.objects.filter(kind=Kind.DAILY_DIGEST, mode=Mode.OFF).values(
        "person_id"
    )
    admins = set(
        User.objects.with_role(Role.INSTITUTION_ADMIN)
        .filter(is_active=True, institution__isnull=False)
        .exclude(email="")
        .exclude(pk__in=admins_off)
        .values_list("pk", flat=True)
    )
    held = set(
        Notification.objects.filter(status=Status.HELD, created_at__lt=_day_bounds(on)[0])
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    people = list(User.objects.filter(pk__in=admins | held, is_active=True).order_by("pk"))
    return people, admins


def digest_compose_all_institutions(*, on: datetime.date | None = None) -> int:
    """The morning's digests, for every institution at once (the beat runs it once a day): one
    per institution admin with the day before's figures, and one per person with notifications
    they chose to receive only in the digest, held before today. One digest per person and day
    (unique constraint): running it again the same day adds nothing. Returns how many were made."""
    on = on or timezone.localdate()
    yesterday = on - datetime.timedelta(days=1)
    people, admins = _recipients(on)
    made = 0
    for person in people:
        with transaction.atomic():
            summary = _summary(person.institution_id, yesterday) if person.pk in admins else None
            digest, created = Notification.objects.get_or_create(
                kind=Kind.DAILY_DIGEST,
                recipient=person,
                digest_on=on,
                defaults={
                    "institution_id": person.institution_id,
                    "to_address": person.email,
                    "data": {"summary": summary},
                    "status": Status.PENDING if person.email else Status.SKIPPED,
                },
            )
            if not created:
                continue
            Notification.objects.filter(
                recipient=person, status=Status.HELD, created_at__lt=_day_bounds(on)[0]
            ).update(status=Status.DIGESTED, digest=digest)
            made += 1
    if made:
        logger.info("notifications.digests", extra={"count": made, "on": on.isoformat()})
    return made
