"""The welcome service: every product purchase or update gets an onboarding item (product
introduction and installation) that vendor staff schedule and complete."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from organizations.models import Institution, User
from organizations.roles import Role
from packages.models import Product

from ..models import OnboardingItem
from ..permissions import require_booking_staff, require_vendor_person
from .common import event_add, format_when, in_portal_language, notify
from .engine import booking_act, effect

PAGE_INSTITUTION = "onboarding-list"


def onboarding_record(
    *,
    actor: User,
    institution: Institution,
    product: Product,
    version: str,
    purchased_on: datetime.date,
    kind: str = OnboardingItem.Kind.PURCHASE,
) -> OnboardingItem:
    """Vendor staff record a purchase or update; its onboarding item waits to be scheduled."""
    require_booking_staff(actor)
    item = OnboardingItem(
        institution=institution,
        product=product,
        version=version.strip(),
        purchased_on=purchased_on,
        kind=kind,
        recorded_by=actor,
    )
    item.full_clean()
    with transaction.atomic():
        item.save()
        event_add(actor=actor, booking=item)
        with in_portal_language():
            notify(
                institution=institution,
                page=PAGE_INSTITUTION,
                subject=lambda: (
                    _("Welcome service for %(product)s %(version)s")
                    % {"product": product.name, "version": item.version}
                ),
                body=lambda: (
                    _(
                        "The %(kind)s of %(product)s %(version)s on %(day)s comes with a product introduction and "
                        "installation; we will tell you its date."
                    )
                    % {
                        "kind": item.get_kind_display().lower(),
                        "product": product.name,
                        "version": item.version,
                        "day": formats.date_format(purchased_on, "DATE_FORMAT"),
                    }
                ),
            )
    return item


def onboarding_request(
    *,
    actor: User,
    product: Product,
    version: str,
    purchased_on: datetime.date,
    kind: str = OnboardingItem.Kind.PURCHASE,
) -> OnboardingItem:
    """The institution admin asks for the welcome service of a purchase or update the vendor has
    not recorded yet; the item waits to be scheduled and vendor staff are e-mailed. Not for a
    date in the future. Running it twice records two items."""
    if not (actor.is_active and actor.role == Role.INSTITUTION_ADMIN and actor.institution_id):
        raise PermissionDenied(_("Only the institution's admin can do this."))
    if purchased_on > timezone.localdate():
        raise ValidationError({"purchased_on": _("The purchase or update date cannot be in the future.")})
    item = OnboardingItem(
        institution=actor.institution,
        product=product,
        version=version.strip(),
        purchased_on=purchased_on,
        kind=kind,
        recorded_by=actor,
    )
    item.full_clean()
    with transaction.atomic():
        item.save()
        event_add(actor=actor, booking=item, note=_("Requested by the institution"))
        with in_portal_language():
            notify(
                institution=actor.institution,
                to_vendor=True,
                page="vendor-onboarding",
                subject=lambda: _("Welcome service requested: %(item)s") % {"item": item},
                body=lambda: (
                    _(
                        "%(institution)s asks for the introduction and installation of %(item)s (%(kind)s of %(day)s)."
                    )
                    % {
                        "institution": actor.institution.name,
                        "item": item,
                        "kind": item.get_kind_display().lower(),
                        "day": formats.date_format(purchased_on, "DATE_FORMAT"),
                    }
                ),
            )
    return item


@effect(OnboardingItem, "schedule")
def _schedule(*, actor: User, booking: OnboardingItem, now, starts_at: datetime.datetime, engineer: User):
    require_vendor_person(engineer, "engineer")
    if starts_at <= now:
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    booking.starts_at, booking.engineer = starts_at, engineer
    notify(
        institution=booking.institution,
        page=PAGE_INSTITUTION,
        subject=lambda: _("Onboarding scheduled: %(item)s") % {"item": booking},
        body=lambda: (
            _("The introduction and installation of %(item)s is on %(when)s with %(engineer)s.")
            % {
                "item": booking,
                "when": format_when(starts_at),
                "engineer": engineer.get_full_name() or engineer.username,
            }
        ),
    )
    return ["starts_at", "engineer"], ""


@effect(OnboardingItem, "complete")
def _complete(
    *,
    actor: User,
    booking: OnboardingItem,
    now,
    note: str = "",
    completed_at: datetime.datetime | None = None,
):
    completed_at = completed_at or now
    if booking.starts_at > now:
        raise ValidationError(
            {
                "completed_at": _(
                    "The onboarding starts at %(when)s; it cannot be completed before it starts."
                )
                % {"when": format_when(booking.starts_at)}
            }
        )
    if completed_at < booking.starts_at:
        raise ValidationError(
            {
                "completed_at": _("The completion time cannot be before the start (%(when)s).")
                % {"when": format_when(booking.starts_at)}
            }
        )
    if completed_at > now:
        raise ValidationError({"completed_at": _("The completion time cannot be in the future.")})
    booking.note = (note or "").strip()
    booking.completed_at = completed_at
    notify(
        institution=booking.institution,
        page=PAGE_INSTITUTION,
        subject=lambda: _("Onboarding completed: %(item)s") % {"item": booking},
        body=lambda: (
            booking.note or _("The introduction and installation of %(item)s are done.") % {"item": booking}
        ),
    )
    return ["note", "completed_at"], booking.note


def onboarding_schedule(
    *, actor: User, item: OnboardingItem, starts_at: datetime.datetime, engineer: User
) -> OnboardingItem:
    """Vendor staff set (or move) the introduction's time and engineer."""
    return booking_act(actor=actor, booking=item, action="schedule", starts_at=starts_at, engineer=engineer)


def onboarding_complete(
    *, actor: User, item: OnboardingItem, note: str = "", completed_at: datetime.datetime | None = None
) -> OnboardingItem:
    """Vendor staff close a scheduled onboarding item once it has started, with an optional note
    and the time it was actually completed (default: now; between its start and now, else
    ValidationError on `completed_at`)."""
    return booking_act(actor=actor, booking=item, action="complete", note=note, completed_at=completed_at)
