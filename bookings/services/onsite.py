"""On-site support and training days (6 hours each). Gold contracts include days: confirmation
draws them from the allotment. Silver contracts pay per day, and a Gold request may ask for days
beyond its allotment: vendor staff quote the priced days, the institution admin accepts or
declines, an accepted quote is confirmed (drawing the included days, if any). Either side may
cancel; the days come back as the engine's cancellation rule says."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from organizations.models import User
from packages.models import Channel
from packages.selectors import allotment_get, subscription_in_force

from ..errors import OnsiteDaysShort
from ..models import OnsiteRequest
from ..permissions import is_vendor_staff, require_booking_admin, require_vendor_person
from .common import clean_dates, in_portal_language, notify, person_lock
from .engine import booking_act, booking_create, effect, units_cancel, units_draw

PAGE_INSTITUTION = "onsite-list"
PAGE_VENDOR = "vendor-onsite"
# Nobody books more on-site days in one request than a working month.
MAX_DAYS = 20


def _money(value: Decimal | None) -> str:
    return (
        formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
        if value is not None
        else ""
    )


def onsite_request(
    *,
    actor: User,
    dates: list,
    address: str,
    purpose: str,
    contact_name: str = "",
    contact_phone: str = "",
    quote_extra: bool = False,
) -> OnsiteRequest:
    """The institution admin asks for on-site days. On a contract that includes them, more days
    than remain is refused at once with OnsiteDaysShort, naming what remains; with `quote_extra`
    the days that remain are drawn as usual and those beyond are priced, so a quote follows. On
    a contract that prices them per day, a quote follows for all. Each call is a new request."""
    institution = actor.institution
    require_booking_admin(actor, institution)
    subscription = subscription_in_force(institution=institution)
    days = clean_dates(dates, field="dates", minimum=1, maximum=MAX_DAYS)
    allotment = allotment_get(subscription=subscription, channel=Channel.ONSITE_DAYS)
    included = bool(allotment and allotment.is_included)
    units = 0
    if included:
        remaining = allotment.remaining
        units = len(days) if remaining is None else min(remaining, len(days))
        if units < len(days) and not quote_extra:
            raise OnsiteDaysShort(
                allotment=allotment.allotment,
                renews_on=subscription.renews_on,
                requested=len(days),
                remaining=remaining,
            )
    visit = OnsiteRequest(
        institution=institution,
        requested_by=actor,
        dates=[day.isoformat() for day in days],
        starts_on=days[0],
        ends_on=days[-1],
        address=address.strip(),
        purpose=purpose.strip(),
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        is_included=included,
        units=units,
    )
    with in_portal_language():
        return booking_create(
            actor=actor,
            booking=visit,
            page=PAGE_VENDOR,
            subject=lambda: _("On-site days requested: %(institution)s") % {"institution": institution.name},
            body=lambda: (
                _("%(institution)s asks for %(days)s on-site days (%(dates)s) at %(address)s: %(purpose)s")
                % {
                    "institution": institution.name,
                    "days": visit.days,
                    "dates": ", ".join(visit.dates),
                    "address": visit.address,
                    "purpose": visit.purpose,
                }
            ),
        )


@effect(OnsiteRequest, "quote")
def _quote(*, actor: User, booking: OnsiteRequest, now, day_rate: Decimal, valid_until: datetime.date):
    if day_rate is None or day_rate <= 0:
        raise ValidationError({"day_rate": _("Give a day rate above zero.")})
    if valid_until is None or valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("The quote must be valid until today or later.")})
    booking.day_rate = Decimal(day_rate).quantize(Decimal("0.01"))
    booking.vat_rate = settings.ONSITE_VAT_RATE
    booking.valid_until, booking.quoted_at = valid_until, now
    booking.full_clean(exclude=["status"])
    notify(
        institution=booking.institution,
        page=PAGE_INSTITUTION,
        subject=lambda: _("Quote for your on-site days"),
        body=lambda: (
            _(
                "%(days)s days × %(rate)s TL = %(net)s TL, plus %(vat)s%% VAT: %(gross)s TL. "
                "Valid until %(valid)s; accept or decline it in the portal."
            )
            % {
                "days": booking.priced_days,
                "rate": _money(booking.day_rate),
                "net": _money(booking.net_total),
                "vat": booking.vat_percent,
                "gross": _money(booking.gross_total),
                "valid": formats.date_format(booking.valid_until, "DATE_FORMAT"),
            }
        ),
    )
    return ["day_rate", "vat_rate", "valid_until", "quoted_at"], ""


def _answer(*, booking: OnsiteRequest, now, accept: bool):
    if accept and booking.valid_until < timezone.localdate():
        raise ValidationError(
            _("This quote was valid until %(day)s; ask for a new one.")
            % {"day": formats.date_format(booking.valid_until, "DATE_FORMAT")},
            code="quote_expired",
        )
    booking.answered_at = now

    def subject() -> str:
        return (_("Quote accepted: %(institution)s") if accept else _("Quote declined: %(institution)s")) % {
            "institution": booking.institution.name
        }

    notify(
        institution=booking.institution,
        to_vendor=True,
        page=PAGE_VENDOR,
        subject=subject,
        body=lambda: (
            _("On-site days %(dates)s at %(address)s.")
            % {"dates": ", ".join(booking.dates), "address": booking.address}
        ),
    )
    return ["answered_at"], ""


@effect(OnsiteRequest, "accept")
def _accept(*, actor: User, booking: OnsiteRequest, now):
    return _answer(booking=booking, now=now, accept=True)


@effect(OnsiteRequest, "decline")
def _decline(*, actor: User, booking: OnsiteRequest, now):
    return _answer(booking=booking, now=now, accept=False)


@effect(OnsiteRequest, "confirm")
def _confirm(*, actor: User, booking: OnsiteRequest, now, engineer: User):
    require_vendor_person(engineer, "engineer")
    if booking.starts_on <= timezone.localdate():
        raise ValidationError(
            _("The first requested day has come; ask the institution for new dates."),
            code="invalid_transition",
        )
    person_lock(engineer)
    others = OnsiteRequest.objects.filter(
        engineer=engineer,
        status=OnsiteRequest.Status.CONFIRMED,
        starts_on__lte=booking.ends_on,
        ends_on__gte=booking.starts_on,
    ).exclude(pk=booking.pk)
    wanted = set(booking.dates)
    if any(wanted & set(other.dates) for other in others):
        raise ValidationError(
            {
                "engineer": _("%(engineer)s is already on site elsewhere on one of these days.")
                % {"engineer": engineer}
            }
        )
    units_draw(actor=actor, booking=booking, note=booking.purpose)
    booking.engineer, booking.confirmed_at = engineer, now
    notify(
        institution=booking.institution,
        page=PAGE_INSTITUTION,
        subject=lambda: _("On-site days confirmed"),
        body=lambda: (
            _("%(engineer)s will be at %(address)s on %(dates)s (6 hours a day).")
            % {
                "engineer": engineer.get_full_name() or engineer.username,
                "address": booking.address,
                "dates": ", ".join(booking.dates),
            }
        ),
    )
    return ["engineer", "confirmed_at"], ""


@effect(OnsiteRequest, "complete")
def _complete(*, actor: User, booking: OnsiteRequest, now, report: str):
    report = (report or "").strip()
    if not report:
        raise ValidationError({"report": _("Write a short report for the institution.")})
    booking.report, booking.completed_at, booking.closed_at = report, now, now
    notify(
        institution=booking.institution,
        page=PAGE_INSTITUTION,
        subject=lambda: _("On-site days completed"),
        body=lambda: (
            _("Report of the on-site days %(dates)s: %(report)s")
            % {"dates": ", ".join(booking.dates), "report": report}
        ),
    )
    return ["report", "completed_at", "closed_at"], ""


@effect(OnsiteRequest, "cancel")
def _cancel(*, actor: User, booking: OnsiteRequest, now, reason: str = ""):
    held = booking.status == OnsiteRequest.Status.CONFIRMED and booking.units > 0
    fields = units_cancel(actor=actor, booking=booking, now=now, note=_("On-site days cancelled"))

    def outcome() -> str:
        if not held:
            return ""
        if booking.units_returned:
            return _("%(days)s on-site days were given back to your allotment.") % {
                "days": booking.units_returned
            }
        return _("It was cancelled less than 48 hours before the first day, so the days stay used.")

    def subject() -> str:
        return _("On-site days cancelled")

    def body() -> str:
        return " ".join(
            part
            for part in (
                _("The on-site days %(dates)s at %(address)s were cancelled.")
                % {"dates": ", ".join(booking.dates), "address": booking.address},
                (reason or "").strip(),
                outcome(),
            )
            if part
        )

    notify(institution=booking.institution, page=PAGE_INSTITUTION, subject=subject, body=body)
    if not is_vendor_staff(actor):
        notify(institution=booking.institution, to_vendor=True, page=PAGE_VENDOR, subject=subject, body=body)
    return fields, (reason or "").strip()


def onsite_quote(
    *, actor: User, visit: OnsiteRequest, day_rate: Decimal, valid_until: datetime.date
) -> OnsiteRequest:
    """Vendor staff answer a request with priced days with a quote: day rate × priced days plus
    VAT (the ONSITE_VAT_RATE setting), valid until a day. A request whose days are all included
    is confirmed instead (the 409 state error)."""
    return booking_act(actor=actor, booking=visit, action="quote", day_rate=day_rate, valid_until=valid_until)


def onsite_quote_accept(*, actor: User, visit: OnsiteRequest) -> OnsiteRequest:
    """The institution admin accepts a quote that is still valid; vendor staff then confirm it."""
    return booking_act(actor=actor, booking=visit, action="accept")


def onsite_quote_decline(*, actor: User, visit: OnsiteRequest) -> OnsiteRequest:
    """The institution admin declines a quote; the request ends there."""
    return booking_act(actor=actor, booking=visit, action="decline")


def onsite_confirm(*, actor: User, visit: OnsiteRequest, engineer: User) -> OnsiteRequest:
    """Vendor staff confirm the days with an engineer, drawing the included days from the
    allotment (QuotaExhausted, nothing written, if too few remain); priced days are confirmed
    once their quote is accepted. The engineer's row is locked while their other visits are
    checked, so they are never sent to two places on one day."""
    return booking_act(actor=actor, booking=visit, action="confirm", engineer=engineer)


def onsite_complete(*, actor: User, visit: OnsiteRequest, report: str) -> OnsiteRequest:
    """Vendor staff record that the days took place, with a short report the institution reads."""
    return booking_act(actor=actor, booking=visit, action="complete", report=report)


def onsite_cancel(*, actor: User, visit: OnsiteRequest, reason: str = "") -> OnsiteRequest:
    """Cancel a request not yet completed, by the institution admin or by vendor staff. Confirmed
    included days come back (reversing ledger entries; `units_returned` says how many) when the
    vendor cancels, or when the institution cancels more than 48 hours before the first day
    begins; later, they stay used. Running it twice: the second is the 409 state error."""
    return booking_act(actor=actor, booking=visit, action="cancel", reason=reason)
