"""Who may book and who may schedule. The role checks come from organizations.permissions; the
package check for workshops needs the packages layer, which organizations sits below, so it
lives here, with the same FeatureLocked the pages and the API already present."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from organizations.models import Institution, User
from organizations.permissions import FeatureLocked, is_vendor_staff, require_own_institution_admin
from organizations.roles import Role
from packages.models import Channel
from packages.selectors import allotment_get, package_names_with_channel, subscription_get_active

# Vendor staff who take bookings: the back office and the desk lead who plans the engineers.
BOOKING_ROLES = frozenset({Role.PACKAGE_MANAGER, Role.DESK_LEAD})


def is_booking_staff(actor: User) -> bool:
    return actor.is_active and actor.role in BOOKING_ROLES


def require_booking_staff(actor: User) -> None:
    if not is_booking_staff(actor):
        raise PermissionDenied(_("Only vendor staff who take bookings can do this."))


def require_vendor_person(person: User, field: str) -> None:
    """A trainer or engineer must be active vendor staff."""
    if not is_vendor_staff(person):
        raise ValidationError({field: _("Choose an active member of the vendor staff.")})


def require_booking_admin(actor: User, institution: Institution) -> None:
    """Requests, cancellations and quote answers are the institution admin's."""
    require_own_institution_admin(actor, institution)


def workshop_lock(institution: Institution) -> FeatureLocked | None:
    """None when the contract in force includes workshops (Premium, Premium+); otherwise the
    FeatureLocked naming the packages that do, for the locked page and the API's 403."""
    subscription = subscription_get_active(institution=institution)
    if subscription is not None:
        allotment = allotment_get(subscription=subscription, channel=Channel.WORKSHOPS)
        if allotment is not None and allotment.is_included:
            return None
    return FeatureLocked(
        feature=_("Institution-specific workshops"),
        packages=package_names_with_channel(channel=Channel.WORKSHOPS),
    )


def require_workshops(institution: Institution) -> None:
    lock = workshop_lock(institution)
    if lock is not None:
        raise lock
