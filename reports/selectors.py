"""Who sees which report: the rows every figure is computed over, decided once per request.

- The institution admin: the whole institution, with its quota.
- A unit or region manager, on a package with region management in force (Premium, Premium+):
  the tickets they monitor — tickets.selectors' rule (organizations.selectors.monitoring_scope_for),
  so the report and the ticket list always agree — without the institution's quota.
- Vendor staff (package manager, desk lead): every institution, through the *_all_institutions
  selector, filterable by package and institution.
Anyone else gets None (the page answers 403, the API 403)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from organizations.models import Institution, User
from organizations.roles import Role
from packages.models import Subscription
from packages.permissions import package_has_feature
from packages.selectors import subscription_get_active, subscription_get_latest
from tickets.models import DevelopmentItem, Ticket
from tickets.selectors import monitoring_scope_for

from .models import Survey

VENDOR_REPORT_ROLES = (Role.PACKAGE_MANAGER, Role.DESK_LEAD)


@dataclass
class ReportScope:
    tickets: QuerySet[Ticket]
    surveys: QuerySet[Survey]
    items: QuerySet[DevelopmentItem]
    institution: Institution | None = None
    subscription: Subscription | None = None
    whole_institution: bool = False


def report_scope_for(*, person: User) -> ReportScope | None:
    if not person.is_authenticated or not person.is_active or person.institution_id is None:
        return None
    institution = person.institution
    tickets = Ticket.objects.for_institution(institution)
    surveys = Survey.objects.for_institution(institution)
    items = DevelopmentItem.objects.for_institution(institution)
    if person.role == Role.INSTITUTION_ADMIN:
        return report_scope_institution(institution=institution)
    if person.role in (Role.UNIT_MANAGER, Role.REGION_MANAGER) and package_has_feature(
        institution, "has_region_management"
    ):
        tickets = tickets.filter(monitoring_scope_for(person=person))
        ids = tickets.values("id")
        return ReportScope(
            tickets,
            surveys.filter(ticket__in=ids),
            items.filter(pk__in=tickets.values("development_item_id")),
            institution,
        )
    return None


def report_scope_institution(*, institution: Institution) -> ReportScope:
    """The whole institution, with the contract in force (or the latest one) for its quota."""
    subscription = subscription_get_active(institution=institution) or subscription_get_latest(
        institution=institution
    )
    return ReportScope(
        Ticket.objects.for_institution(institution),
        Survey.objects.for_institution(institution),
        DevelopmentItem.objects.for_institution(institution),
        institution,
        subscription,
        whole_institution=True,
    )


def report_scope_all_institutions(
    *, person: User, package: str = "", institution: Institution | None = None
) -> ReportScope | None:
    # The vendor's view is across institutions by design: it compares them.
    if not person.is_active or person.role not in VENDOR_REPORT_ROLES:
        return None
    tickets = Ticket.objects.all()
    surveys = Survey.objects.all()
    items = DevelopmentItem.objects.all()
    if institution is not None:
        tickets, surveys, items = (
            tickets.filter(institution=institution),
            surveys.filter(institution=institution),
            items.for_institution(institution),
        )
    if package:
        tickets = tickets.filter(subscription__package__code=package)
        surveys = surveys.filter(package=package)
        items = items.filter(pk__in=tickets.values("development_item_id"))
    return ReportScope(tickets, surveys, items, institution)


def institution_list_all_institutions():
    # The vendor's filter lists every institution.
    return Institution.objects.order_by("name")


def institution_get_all_institutions(*, slug: str) -> Institution | None:
    """The institution a vendor's filter names, by its id or its slug."""
    # The vendor's filter names any institution.
    if not slug:
        return None
    if slug.isdigit():
        return Institution.objects.filter(pk=int(slug)).first()
    return Institution.objects.filter(slug=slug).first()
