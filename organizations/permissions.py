"""Role and package checks in one place; services call these before they act."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Institution, User
from .roles import CUSTOMER_SIDE, DESK_ROLES, Role


class FeatureLocked(PermissionDenied):
    """A feature the institution's package does not include; names the packages that do."""

    code = "feature_locked"

    def __init__(self, *, feature: str, packages: list[str]):
        self.feature = feature
        self.packages = packages
        super().__init__(self.message())

    def message(self) -> str:
        return _("%(feature)s is included in the %(packages)s packages; your package does not include it.") % {
            "feature": self.feature,
            "packages": ", ".join(self.packages),
        }


def require_role(actor: User, *roles: Role) -> None:
    if not actor.is_active or actor.role not in roles:
        raise PermissionDenied(_("You are not allowed to do this."))


def require_institution_admin(actor: User, institution: Institution) -> None:
    """The actor administers this institution (or is vendor staff managing packages)."""
    if actor.is_active and actor.role == Role.PACKAGE_MANAGER:
        return
    if actor.is_active and actor.role == Role.INSTITUTION_ADMIN and actor.institution_id == institution.pk:
        return
    raise PermissionDenied(_("Only the institution's admin can do this."))


def require_own_institution_admin(actor: User, institution: Institution) -> None:
    """The actor is this institution's own admin (vendor staff do not stand in for them here)."""
    if actor.is_active and actor.role == Role.INSTITUTION_ADMIN and actor.institution_id == institution.pk:
        return
    raise PermissionDenied(_("Only the institution's admin can do this."))


def is_desk(actor: User) -> bool:
    return actor.is_active and actor.role in DESK_ROLES


def is_customer_side(actor: User) -> bool:
    return actor.is_active and actor.role in CUSTOMER_SIDE and actor.institution_id is not None


def package_has_feature(institution: Institution, feature_field: str) -> bool:
    from packages.selectors import subscription_get_active

    subscription = subscription_get_active(institution=institution)
    return bool(subscription and getattr(subscription.package, feature_field))


def region_management_lock(institution: Institution) -> FeatureLocked | None:
    """None when the contract in force includes region-based organisation management (Premium,
    Premium+); otherwise the FeatureLocked to show — pages use it to present the feature as
    locked, naming the packages that include it, without raising."""
    if package_has_feature(institution, "has_region_management"):
        return None
    from packages.selectors import package_list

    return FeatureLocked(
        feature=_("Region-based organisation management"),
        packages=[p.name for p in package_list(on_sale_only=True) if p.has_region_management],
    )


def require_region_management(institution: Institution) -> None:
    """Region-based organisation management is a Gold feature (Premium, Premium+): the tree,
    monitoring grants and ticket sharing."""
    lock = region_management_lock(institution)
    if lock is not None:
        raise lock


def require_duty_setter(actor: User, person: User) -> None:
    """Engineers set their own duty; the desk lead sets anyone's on the desk."""
    if not (actor.is_active and person.is_active and person.role in DESK_ROLES):
        raise PermissionDenied(_("Only people on the support desk go on or off duty."))
    if actor.pk == person.pk or actor.role == Role.DESK_LEAD:
        return
    raise PermissionDenied(_("Only the desk lead sets someone else's duty."))
