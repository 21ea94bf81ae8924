"""The welcome service: every product purchase or update gets an onboarding item (product
introduction and installation) that vendor staff schedule and complete."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from organizations.models import Institution, User
from packages.models import Product

from ..models import OnboardingItem
from ..permissions import require_booking_staff, require_vendor_person
from .common import event_add, format_when, in_portal_language, lock_in_status, notify

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
                subject=_("Welcome service for %(product)s %(version)s")
                % {"product": product.name, "version": item.version},
                body=_(
                    "The %(kind)s of %(product)s %(version)s on %(day)s comes with a product introduction and "
                    "installation; we will tell you its date."
                )
                % {
                    "kind": item.get_kind_display().lower(),
                    "product": product.name,
                    "version": item.version,
                    "day": formats.date_format(purchased_on, "DATE_FORMAT"),
                },
            )
    return item


def onboarding_schedule(
    *, actor: User, item: OnboardingItem, starts_at: datetime.datetime, engineer: User
) -> OnboardingItem:
    """Vendor staff set (or move) the introduction's time and engineer."""
    require_booking_staff(actor)
    require_vendor_person(engineer, "engineer")
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    with transaction.atomic():
        item = lock_in_status(
            OnboardingItem, item, OnboardingItem.Status.PENDING, OnboardingItem.Status.SCHEDULED
        )
        item.status = OnboardingItem.Status.SCHEDULED
        item.starts_at = starts_at
        item.engineer = engineer
        item.save(update_fields=["status", "starts_at", "engineer"])
        event_add(actor=actor, booking=item)
        with in_portal_language():
            notify(
                institution=item.institution,
                page=PAGE_INSTITUTION,
                subject=_("Onboarding scheduled: %(item)s") % {"item": item},
                body=_("The introduction and installation of %(item)s is on %(when)s with %(engineer)s.")
                % {
                    "item": item,
                    "when": format_when(starts_at),
                    "engineer": engineer.get_full_name() or engineer.username,
                },
            )
    return item


def onboarding_complete(*, actor: User, item: OnboardingItem, note: str = "") -> OnboardingItem:
    """Vendor staff close a scheduled onboarding item, with an optional note."""
    require_booking_staff(actor)
    with transaction.atomic():
        item = lock_in_status(OnboardingItem, item, OnboardingItem.Status.SCHEDULED)
        item.status = OnboardingItem.Status.COMPLETED
        item.note = (note or "").strip()
        item.completed_at = timezone.now()
        item.save(update_fields=["status", "note", "completed_at"])
        event_add(actor=actor, booking=item, note=item.note)
        with in_portal_language():
            notify(
                institution=item.institution,
                page=PAGE_INSTITUTION,
                subject=_("Onboarding completed: %(item)s") % {"item": item},
                body=item.note
                or _("The introduction and installation of %(item)s are done.") % {"item": item},
            )
    return item
