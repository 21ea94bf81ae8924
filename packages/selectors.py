import datetime

from django.db.models import BooleanField, Q, Subquery, Sum
from django.utils import timezone

from organizations.models import Institution

from .errors import NoActiveSubscription
from .models import Allotment, Channel, Package, QuotaEntry, Subscription


def package_list(*, on_sale_only: bool = False):
    qs = Package.objects.prefetch_related("channels").order_by("-priority")
    return qs.filter(is_active=True) if on_sale_only else qs


def package_choices() -> list[tuple[str, str]]:
    """(code, name) of every package, the highest priority first, for a filter's choices: no
    channels, no model instances."""
    return list(Package.objects.order_by("-priority").values_list("code", "name"))


def subscription_get_active(
    *, institution: Institution, on: datetime.date | None = None
) -> Subscription | None:
    """The contract in force for the institution on the given day (today in Istanbul by default)."""
    day = on or timezone.localdate()
    return (
        Subscription.objects.for_institution(institution).in_force(on=day).select_related("package").first()
    )


def region_management_in_force(*, institution_id: int) -> Subquery:
    """Whether the institution's contract in force today includes region-based organisation
    management, as a boolean SQL expression. It is evaluated inside the query that uses it, so a
    ticket list stays one query and follows a change of contract at once. The contract is the one
    subscription_get_active returns: both start from Subscription.objects.in_force."""
    in_force = (
        Subscription.objects.for_institution(institution_id)
        .in_force(on=timezone.localdate())
        .values("package__has_region_management")[:1]
    )
    return Subquery(in_force, output_field=BooleanField())


def subscription_in_force(*, institution: Institution, on: datetime.date | None = None) -> Subscription:
    """The contract in force on the day, or NoActiveSubscription saying when the last one ended
    (only if it has ended: a contract that has not started yet has no end to speak of)."""
    day = on or timezone.localdate()
    subscription = subscription_get_active(institution=institution, on=day)
    if subscription is None:
        latest = subscription_get_latest(institution=institution)
        raise NoActiveSubscription(
            institution=institution.name, ended_on=latest.ends_on if latest and latest.ends_on < day else None
        )
    return subscription


def subscription_get_latest(*, institution: Institution) -> Subscription | None:
    return (
        Subscription.objects.for_institution(institution)
        .select_related("package")
        .order_by("-ends_on")
        .first()
    )


def allotment_list(*, subscription: Subscription) -> list[Allotment]:
    order = {channel: i for i, channel in enumerate(Channel.values)}
    return sorted(subscription.allotments.all(), key=lambda a: order.get(a.channel, 99))


# The ledger's reference type for a ticket's units (packages.services.ticket_unit_draw).
TICKET_REFERENCE = "ticket"


def ticket_units_held(*, institution: Institution, ticket_id: int) -> set[str]:
    """The channels a ticket holds a unit of (drawn and not given back): under the counting rule
    a later handling on one of them draws nothing."""
    return set(
        QuotaEntry.objects.for_institution(institution)
        .filter(
            reference_type=TICKET_REFERENCE,
            reference_id=str(ticket_id),
            reverses__isnull=True,
            reversal__isnull=True,
        )
        .values_list("channel", flat=True)
    )


def allotment_get(*, subscription: Subscription, channel: str) -> Allotment | None:
    return subscription.allotments.filter(channel=channel).first()


def subscription_get_all_institutions(*, pk: int) -> Subscription | None:
    # Vendor staff sell and adjust every institution's contract.
    return Subscription.objects.select_related("institution", "package").filter(pk=pk).first()


def quota_ledger_used(*, subscription: Subscription, channel: str) -> int:
    """What the ledger says a channel has used: its uses minus what was given back. Equal to
    the allotment's running `used` figure, which is kept beside it for the admission check."""
    totals = QuotaEntry.objects.filter(subscription=subscription, channel=channel).aggregate(
        uses=Sum("units", filter=Q(reverses__isnull=True), default=0),
        reversals=Sum("units", filter=Q(reverses__isnull=False), default=0),
    )
    return totals["uses"] - totals["reversals"]


def package_names_with_channel(*, channel: str) -> list[str]:
    """The packages on sale that include a channel in the contract, for a locked feature's message."""
    return [
        package.name
        for package in package_list(on_sale_only=True)
        if any(term.channel == channel and term.is_included for term in package.channels.all())
    ]


def quota_units_by_package_all_institutions() -> list[tuple[str, str, int, int]]:
    """Quota units drawn and given back, by package and channel, over every institution and
    contract ever sold (for /metrics: the operator watches use across the customers). Rows of
    (package code, channel, units drawn, units given back)."""
    rows = (
        QuotaEntry.objects.values("subscription__package__code", "channel")
        .annotate(
            drawn=Sum("units", filter=Q(reverses__isnull=True), default=0),
            returned=Sum("units", filter=Q(reverses__isnull=False), default=0),
        )
        .order_by("subscription__package__code", "channel")
    )
    return [(r["subscription__package__code"], r["channel"], r["drawn"], r["returned"]) for r in rows]
