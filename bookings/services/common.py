"""What every booking service shares: the event row of a change, the e-mail of it through the
outbox, and checks of the dates asked for."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from organizations.models import Institution, User
from tickets.services.outbox import email_message, outbox_email_add_many

from ..models import BookingEvent
from ..selectors import booking_staff_emails, institution_admin_emails


def event_add(*, actor: User | None, booking: models.Model, note: str = "") -> BookingEvent:
    return BookingEvent.objects.create(
        institution_id=booking.institution_id,
        booking_type=booking._meta.model_name,
        booking_id=booking.pk,
        status=booking.status,
        actor=actor,
        note=note[:500],
    )


def notify(
    *,
    institution: Institution,
    subject: str,
    body: str,
    page: str = "",
    link: str = "",
    to_vendor: bool = False,
) -> int:
    """Queue one e-mail in the caller's transaction, to the institution's admins or to the vendor
    staff who take bookings, linking to the page (a URL name) or to the given address. Sent after commit by the outbox, so a rolled
    back change sends nothing and a status change guarded by its lock mails once."""
    recipients = booking_staff_emails() if to_vendor else institution_admin_emails(institution=institution)
    link = link or settings.SITE_URL.rstrip("/") + reverse(page)
    message = email_message(subject=subject, body=f"{body}\n\n{link}", recipients=recipients)
    return outbox_email_add_many(messages=[message] if message else [])


def in_portal_language():
    """E-mails go out in the product's first language, whatever the request's language was."""
    return translation.override(settings.LANGUAGE_CODE)


def clean_dates(values, *, field: str, minimum: int, maximum: int) -> list[datetime.date]:
    """Distinct future dates, between `minimum` and `maximum` of them, sorted."""
    try:
        days = sorted(
            {
                day if isinstance(day, datetime.date) else datetime.date.fromisoformat(str(day))
                for day in values
            }
        )
    except (TypeError, ValueError):
        raise ValidationError({field: _("Give dates as YYYY-MM-DD.")}) from None
    if not minimum <= len(days) <= maximum:
        if minimum == maximum:
            message = _("Give %(count)s dates.") % {"count": minimum}
        else:
            message = _("Give between %(min)s and %(max)s different dates.") % {
                "min": minimum,
                "max": maximum,
            }
        raise ValidationError({field: message})
    if days[0] <= timezone.localdate():
        raise ValidationError({field: _("Every date must be after today.")})
    return days


def format_when(value: datetime.datetime | None) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


def person_lock(person: User) -> None:
    """Lock a trainer's or engineer's row until the transaction ends, so checks of their other
    bookings and the booking that follows are one step for concurrent schedulers."""
    User.objects.select_for_update().filter(pk=person.pk).first()
