"""Role checks in one place; services call these before they act. Package checks read the
contract, which lives in the layer above: they are in packages.permissions."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core.errors import DomainError

from .models import Institution, User
from .roles import CUSTOMER_SIDE, DESK_ROLES, DEVELOPMENT_QUEUE_ROLES, VENDOR_SIDE, Role


class FeatureLocked(DomainError, PermissionDenied):
    """A feature the institution's package does not include; names the packages that do."""

    code = "feature_locked"
    status_code = 403

    def __init__(self, *, feature: str, packages: list[str]):
        self.feature = feature
        self.packages = packages
        super().__init__(self.message())

    def message(self) -> str:
        return _(
            "%(feature)s is included in the %(packages)s packages; your package does not include it."
        ) % {
            "feature": self.feature,
            "packages": ", ".join(self.packages),
        }

    def as_dict(self) -> dict:
        return {"feature": str(self.feature), "packages": self.packages}


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


def require_person_admin(actor: User, person: User) -> None:
    """The actor administers the person's institution (see require_institution_admin). Vendor
    staff, who belong to no institution, are nobody's to manage here."""
    if person.institution_id is None:
        raise PermissionDenied(_("Only the institution's admin can do this."))
    require_institution_admin(actor, person.institution)


def refuse_self(actor: User, person: User) -> None:
    """Nobody changes their own role or access: an admin cannot lock themselves out or hand
    themselves another role."""
    if actor.pk == person.pk:
        raise ValidationError(_("You cannot change your own role or access."))


def require_own_institution_admin(actor: User, institution: Institution) -> None:
    """The actor is this institution's own admin (vendor staff do not stand in for them here)."""
    if actor.is_active and actor.role == Role.INSTITUTION_ADMIN and actor.institution_id == institution.pk:
        return
    raise PermissionDenied(_("Only the institution's admin can do this."))


def audit_log_scope(actor: User) -> Institution | None:
    """Whose audit log the actor reads: an institution admin their own institution's; vendor staff
    every institution's (None). Raises PermissionDenied for everyone else."""
    if actor.is_active and actor.role == Role.INSTITUTION_ADMIN and actor.institution_id is not None:
        return actor.institution
    if is_vendor_staff(actor):
        return None
    raise PermissionDenied(_("Only institution admins and vendor staff can read the audit log."))


def is_desk(actor: User) -> bool:
    return actor.is_active and actor.role in DESK_ROLES


def require_desk(actor: User) -> None:
    if not is_desk(actor):
        raise PermissionDenied(_("Only support engineers can do this."))


def keeps_desk_macros(actor: User) -> bool:
    """The desk lead keeps the macros the whole desk shares; an engineer keeps only their own."""
    return actor.is_active and actor.role == Role.DESK_LEAD


def is_vendor_staff(actor: User) -> bool:
    return actor.is_active and actor.role in VENDOR_SIDE


def works_development(actor: User) -> bool:
    """The development unit and vendor staff: they read and change development items."""
    return actor.is_active and actor.role in DEVELOPMENT_QUEUE_ROLES


def require_development(actor: User) -> None:
    if not works_development(actor):
        raise PermissionDenied(_("Only the development unit and vendor staff can do this."))


def vendor_report_reader(actor: User) -> bool:
    """Vendor staff who read every institution's report (package managers and desk leads)."""
    return actor.is_active and actor.role in (Role.PACKAGE_MANAGER, Role.DESK_LEAD)


def is_customer_side(actor: User) -> bool:
    return actor.is_active and actor.role in CUSTOMER_SIDE and actor.institution_id is not None


def performance_scope(actor: User) -> str:
    """How much of the performance report the actor reads: "institution" (its admin), "monitored"
    (a unit or region manager: the part of the tree their grant covers, and themselves) or "self"
    (anyone else on the customer side). Raises PermissionDenied for vendor staff and the inactive."""
    if not is_customer_side(actor):
        raise PermissionDenied(_("Only the institution's people can read its performance report."))
    if actor.role == Role.INSTITUTION_ADMIN:
        return "institution"
    if actor.role in (Role.UNIT_MANAGER, Role.REGION_MANAGER):
        return "monitored"
    return "self"


def require_duty_setter(actor: User, person: User) -> None:
    """Engineers set their own duty; the desk lead sets anyone's on the desk."""
    if not (actor.is_active and person.is_active and person.role in DESK_ROLES):
        raise PermissionDenied(_("Only people on the support desk go on or off duty."))
    if actor.pk == person.pk or actor.role == Role.DESK_LEAD:
        return
    raise PermissionDenied(_("Only the desk lead sets someone else's duty."))
