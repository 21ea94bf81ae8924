from django.db.models import Count, Q

from .models import AuditEvent, DutyChange, Institution, MonitoringGrant, Region, Unit, User
from .roles import CUSTOMER_SIDE, DESK_ROLES, Role


def institution_get(*, slug: str) -> Institution | None:
    return Institution.objects.filter(slug=slug).first()


def institution_list_all_institutions():
    # Vendor staff manage every institution.
    return Institution.objects.order_by("name")


def person_list_for_institution(*, institution: Institution, active_only: bool = False):
    qs = User.objects.for_institution(institution).select_related("region", "unit")
    return qs.filter(is_active=True) if active_only else qs


def person_list_managers(*, institution: Institution):
    """The active unit and region managers of the institution: whom a monitoring grant can go to."""
    return (
        person_list_for_institution(institution=institution, active_only=True)
        .filter(role__in=[Role.UNIT_MANAGER, Role.REGION_MANAGER])
        .select_related("unit__region")
        .order_by("username")
    )


def person_get(*, institution: Institution, pk: int) -> User | None:
    return User.objects.for_institution(institution).filter(pk=pk).first()


def seat_count(*, institution: Institution) -> int:
    """People who take a place under the user cap: every active customer-side person."""
    return User.objects.for_institution(institution).filter(is_active=True, role__in=CUSTOMER_SIDE).count()


def region_list(*, institution: Institution):
    return Region.objects.for_institution(institution).annotate(unit_count=Count("units")).order_by("name")


def region_get(*, institution: Institution, pk: int) -> Region | None:
    return Region.objects.for_institution(institution).filter(pk=pk).first()


def unit_list(*, institution: Institution, region: Region | None = None):
    qs = Unit.objects.for_institution(institution).select_related("region")
    return qs.filter(region=region) if region else qs


def unit_get(*, institution: Institution, pk: int) -> Unit | None:
    return Unit.objects.for_institution(institution).select_related("region").filter(pk=pk).first()


def monitoring_grant_list(*, institution: Institution, active_only: bool = True):
    qs = MonitoringGrant.objects.for_institution(institution).select_related("person", "unit", "region")
    return qs.filter(revoked_at__isnull=True) if active_only else qs


def monitoring_grant_get(*, institution: Institution, pk) -> MonitoringGrant | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return monitoring_grant_list(institution=institution, active_only=False).filter(pk=pk).first()


def customer_get_all_institutions_by_id(*, pk: int) -> User | None:
    """An active customer-side person of any institution, by id: the desk files for callers of
    every institution."""
    return (
        User.objects.filter(pk=pk, is_active=True, institution__isnull=False, role__in=CUSTOMER_SIDE)
        .select_related("institution")
        .first()
    )


def person_list_desk():
    """The vendor's desk people, to whom tickets can be assigned."""
    return User.objects.with_role(*DESK_ROLES).filter(is_active=True).order_by("username")


def audit_event_list(*, institution: Institution, action: str = ""):
    """An institution's audit log, newest first."""
    return _audit_events(AuditEvent.objects.for_institution(institution), action)


def audit_event_list_all_institutions(*, institution_id: int | None = None, action: str = ""):
    # Vendor staff read every institution's log (and the changes that belong to none).
    events = AuditEvent.objects.all()
    if institution_id is not None:
        events = events.filter(institution_id=institution_id)
    return _audit_events(events, action)


def audit_event_list_for(*, scope: Institution | None, institution_id: int | None = None, action: str = ""):
    """The log a reader sees, given organizations.permissions.audit_log_scope: their institution's,
    or (scope None, vendor staff) every institution's, narrowed to one when asked."""
    if scope is not None:
        return audit_event_list(institution=scope, action=action)
    return audit_event_list_all_institutions(institution_id=institution_id, action=action)


def _audit_events(events, action: str):
    if action:
        events = events.filter(action=action)
    return events.select_related("actor", "institution").order_by("-created_at", "-id")


def duty_change_list_upcoming(*, person: User | None = None):
    """The duty changes planned and not yet applied, soonest first (one person's, or the desk's)."""
    changes = DutyChange.objects.filter(applied_at__isnull=True).select_related("person").order_by("at", "id")
    return changes.filter(person=person) if person is not None else changes


def audit_referenced_names(
    *, scope: Institution | None, person_ids: set, region_ids: set, unit_ids: set
) -> dict[str, dict[int, str]]:
    """The current names of the people, regions and units a page of the audit log mentions by id,
    in three queries: within `scope` (an institution admin's own institution, and the vendor's
    staff who acted in it), or everywhere for the vendor's staff (scope None)."""
    people = User.objects.filter(pk__in=person_ids)
    regions = Region.objects.filter(pk__in=region_ids)
    units = Unit.objects.filter(pk__in=unit_ids)
    if scope is not None:
        people = people.filter(Q(institution=scope) | Q(institution__isnull=True))
        regions, units = regions.filter(institution=scope), units.filter(institution=scope)
    return {
        "people": {
            pk: f"{first} {last}".strip() or username
            for pk, first, last, username in (
                people.values_list("pk", "first_name", "last_name", "username") if person_ids else []
            )
        },
        "regions": dict(regions.values_list("pk", "name")) if region_ids else {},
        "units": dict(units.values_list("pk", "name")) if unit_ids else {},
    }
