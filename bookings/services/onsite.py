"""On-site support and training days (6 hours each). Gold contracts include days: confirmation
draws them from the allotment. Silver contracts pay per day: vendor staff quote, the institution
admin accepts or declines, an accepted quote is scheduled and nothing is drawn."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from organizations.models import User
from packages.errors import QuotaExhausted
from packages.models import Channel
from packages.selectors import allotment_get, subscription_in_force
from packages.services import quota_consume

from ..models import OnsiteRequest
from ..permissions import require_booking_admin, require_booking_staff, require_vendor_person
from .common import clean_dates, event_add, in_portal_language, lock_in_status, notify, person_lock

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
    *, actor: User, dates: list, address: str, purpose: str, contact_name: str = "", contact_phone: str = ""
) -> OnsiteRequest:
    """The institution admin asks for on-site days. On a contract that includes them, more days
    than remain is refused at once (QuotaExhausted with the renewal date); on one that prices
    them per day, a quote follows. Each call is a new request."""
    institution = actor.institution
    require_booking_admin(actor, institution)
    subscription = subscription_in_force(institution=institution)
    days = clean_dates(dates, field="dates", minimum=1, maximum=MAX_DAYS)
    allotment = allotment_get(subscription=subscription, channel=Channel.ONSITE_DAYS)
    included = bool(allotment and allotment.is_included)
    if included and allotment.remaining is not None and allotment.remaining < len(days):
        raise QuotaExhausted(
            channel=Channel.ONSITE_DAYS, allotment=allotment.allotment, renews_on=subscription.renews_on
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
    )
    visit.full_clean()
    with transaction.atomic():
        visit.save()
        event_add(actor=actor, booking=visit)
        with in_portal_language():
            notify(
                institution=institution,
                to_vendor=True,
                page=PAGE_VENDOR,
                subject=_("On-site days requested: %(institution)s") % {"institution": institution.name},
                body=_(
                    "%(institution)s asks for %(days)s on-site days (%(dates)s) at %(address)s: %(purpose)s"
                )
                % {
                    "institution": institution.name,
                    "days": visit.days,
                    "dates": ", ".join(visit.dates),
                    "address": visit.address,
                    "purpose": visit.purpose,
                },
            )
    return visit


def onsite_quote(
    *, actor: User, visit: OnsiteRequest, day_rate: Decimal, valid_until: datetime.date
) -> OnsiteRequest:
    """Vendor staff answer a priced request with a quote: day rate × days plus VAT (the
    ONSITE_VAT_RATE setting), valid until a day. Only for contracts that do not include days."""
    require_booking_staff(actor)
    if visit.is_included:
        raise ValidationError(
            _("This contract includes on-site days: confirm the request instead of quoting it."),
            code="invalid_transition",
        )
    if day_rate is None or day_rate <= 0:
        raise ValidationError({"day_rate": _("Give a day rate above zero.")})
    if valid_until is None or valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("The quote must be valid until today or later.")})
    with transaction.atomic():
        visit = lock_in_status(OnsiteRequest, visit, OnsiteRequest.Status.REQUESTED)
        visit.status = OnsiteRequest.Status.QUOTED
        visit.day_rate = Decimal(day_rate).quantize(Decimal("0.01"))
        visit.vat_rate = settings.ONSITE_VAT_RATE
        visit.valid_until = valid_until
        visit.quoted_at = timezone.now()
        visit.full_clean()
        visit.save(update_fields=["status", "day_rate", "vat_rate", "valid_until", "quoted_at"])
        event_add(actor=actor, booking=visit)
        with in_portal_language():
            notify(
                institution=visit.institution,
                page=PAGE_INSTITUTION,
                subject=_("Quote for your on-site days"),
                body=_(
                    "%(days)s days × %(rate)s TL = %(net)s TL, plus %(vat)s%% VAT: %(gross)s TL. "
                    "Valid until %(valid)s; accept or decline it in the portal."
                )
                % {
                    "days": visit.days,
                    "rate": _money(visit.day_rate),
                    "net": _money(visit.net_total),
                    "vat": visit.vat_percent,
                    "gross": _money(visit.gross_total),
                    "valid": formats.date_format(visit.valid_until, "DATE_FORMAT"),
                },
            )
    return visit


def _answer(*, actor: User, visit: OnsiteRequest, accept: bool) -> OnsiteRequest:
    require_booking_admin(actor, visit.institution)
    with transaction.atomic():
        visit = lock_in_status(OnsiteRequest, visit, OnsiteRequest.Status.QUOTED)
        if accept and visit.valid_until < timezone.localdate():
            raise ValidationError(
                _("This quote was valid until %(day)s; ask for a new one.")
                % {"day": formats.date_format(visit.valid_until, "DATE_FORMAT")},
                code="quote_expired",
            )
        visit.status = OnsiteRequest.Status.ACCEPTED if accept else OnsiteRequest.Status.QUOTE_DECLINED
        visit.answered_at = timezone.now()
        visit.save(update_fields=["status", "answered_at"])
        event_add(actor=actor, booking=visit)
        with in_portal_language():
            subject = (
                _("Quote accepted: %(institution)s") if accept else _("Quote declined: %(institution)s")
            ) % {"institution": visit.institution.name}
            notify(
                institution=visit.institution,
                to_vendor=True,
                page=PAGE_VENDOR,
                subject=subject,
                body=_("On-site days %(dates)s at %(address)s.")
                % {"dates": ", ".join(visit.dates), "address": visit.address},
            )
    return visit


def onsite_quote_accept(*, actor: User, visit: OnsiteRequest) -> OnsiteRequest:
    """The institution admin accepts a quote that is still valid; vendor staff then schedule it."""
    return _answer(actor=actor, visit=visit, accept=True)


def onsite_quote_decline(*, actor: User, visit: OnsiteRequest) -> OnsiteRequest:
    """The institution admin declines a quote; the request ends there."""
    return _answer(actor=actor, visit=visit, accept=False)


def onsite_confirm(*, actor: User, visit: OnsiteRequest, engineer: User) -> OnsiteRequest:
    """Vendor staff confirm the days with an engineer: a request on a contract that includes
    days draws them from the allotment (QuotaExhausted, nothing written, if too few remain); an
    accepted quote is scheduled without drawing anything. The engineer's row is locked while
    their other visits are checked, so they are never sent to two places on one day."""
    require_booking_staff(actor)
    require_vendor_person(engineer, "engineer")
    with transaction.atomic():
        ready = OnsiteRequest.Status.REQUESTED if visit.is_included else OnsiteRequest.Status.ACCEPTED
        visit = lock_in_status(OnsiteRequest, visit, ready)
        if visit.starts_on <= timezone.localdate():
            raise ValidationError(
                _("The first requested day has come; ask the institution for new dates."),
                code="invalid_transition",
            )
        person_lock(engineer)
        others = OnsiteRequest.objects.filter(
            engineer=engineer,
            status=OnsiteRequest.Status.CONFIRMED,
            starts_on__lte=visit.ends_on,
            ends_on__gte=visit.starts_on,
        ).exclude(pk=visit.pk)
        wanted = set(visit.dates)
        if any(wanted & set(other.dates) for other in others):
            raise ValidationError(
                {
                    "engineer": _("%(engineer)s is already on site elsewhere on one of these days.")
                    % {"engineer": engineer}
                }
            )
        if visit.is_included:
            quota_consume(
                actor=actor,
                institution=visit.institution,
                channel=Channel.ONSITE_DAYS,
                reference_type=OnsiteRequest.REFERENCE,
                reference_id=visit.pk,
                units=visit.days,
                note=visit.purpose[:200],
            )
        visit.status = OnsiteRequest.Status.CONFIRMED
        visit.engineer = engineer
        visit.confirmed_at = timezone.now()
        visit.save(update_fields=["status", "engineer", "confirmed_at"])
        event_add(actor=actor, booking=visit)
        with in_portal_language():
            notify(
                institution=visit.institution,
                page=PAGE_INSTITUTION,
                subject=_("On-site days confirmed"),
                body=_("%(engineer)s will be at %(address)s on %(dates)s (6 hours a day).")
                % {
                    "engineer": engineer.get_full_name() or engineer.username,
                    "address": visit.address,
                    "dates": ", ".join(visit.dates),
                },
            )
    return visit


def onsite_complete(*, actor: User, visit: OnsiteRequest, report: str) -> OnsiteRequest:
    """Vendor staff record that the days took place, with a short report the institution reads."""
    require_booking_staff(actor)
    report = (report or "").strip()
    if not report:
        raise ValidationError({"report": _("Write a short report for the institution.")})
    with transaction.atomic():
        visit = lock_in_status(OnsiteRequest, visit, OnsiteRequest.Status.CONFIRMED)
        visit.status = OnsiteRequest.Status.COMPLETED
        visit.report = report
        visit.completed_at = timezone.now()
        visit.save(update_fields=["status", "report", "completed_at"])
        event_add(actor=actor, booking=visit)
        with in_portal_language():
            notify(
                institution=visit.institution,
                page=PAGE_INSTITUTION,
                subject=_("On-site days completed"),
                body=_("Report of the on-site days %(dates)s: %(report)s")
                % {"dates": ", ".join(visit.dates), "report": report},
            )
    return visit
