"""What every booking service shares: the event row of a change, the e-mail of it through the
outbox, and checks of the dates asked for."""

import datetime
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.outbox import outbox_enqueue_many, outbox_message, recipient_language
from organizations.models import Institution, User

from ..models import BookingEvent
from ..selectors import booking_staff_addresses, institution_admin_addresses


def event_add(*, actor: User | None, booking: models.Model, note: str = "") -> BookingEvent:
    return BookingEvent.objects.create(
        institution_id=booking.institution_id,
        booking_type=booking._meta.model_name,
        booking_id=booking.pk,
        status=booking.status,
        actor=actor,
        note=note[:500],
    )


Text = Callable[[], str]


def notify(
    *,
    institution: Institution,
    subject: Text,
    body: Text,
    page: str = "",
    link: str = "",
    to_vendor: bool = False,
) -> int:
    """Queue the e-mail of a change in the caller's transaction, one outbox row per recipient: to
    the institution's admins or to the vendor staff who take bookings, linking to the page (a URL
    name) or to the given address. `subject` and `body` are called once per recipient language,
    so each person reads it in their own language (core.outbox.recipient_language). Sent after
    commit by the outbox, so a rolled back change sends nothing and a status change guarded by
    its lock mails once."""
    recipients = (
        booking_staff_addresses() if to_vendor else institution_admin_addresses(institution=institution)
    )
    link = link or settings.SITE_URL.rstrip("/") + reverse(page)
    cause = f"bookings.notice:{uuid.uuid4().hex}"
    texts: dict[str, tuple[str, str]] = {}
    messages = []
    for person_id, address in sorted(set(recipients), key=lambda pair: pair[1]):
        language = recipient_language(person_id)
        if language not in texts:
            with translation.override(language):
                texts[language] = (subject(), f"{body()}\n\n{link}")
        messages.append(
            outbox_message(
                cause=cause,
                recipient=address,
                subject=texts[language][0],
                body=texts[language][1],
                language=language,
            )
        )
    return outbox_enqueue_many(messages=messages)


def in_portal_language():
    """The history notes of a booking are written in the product's first language, whatever the
    request's language was (its e-mails are in each recipient's own: `notify`)."""
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
