"""Reads of tickets. Which tickets a person may see is decided here, once, by ticket_visible_to;
every list, detail, count and export of the web pages and the API starts from it."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from organizations.models import User
from organizations.permissions import package_has_feature
from organizations.roles import VENDOR_SIDE, Role
from organizations.selectors import monitoring_scope_for

from .models import OPEN_STATUSES, DevelopmentItem, Product, Ticket, TicketMessage, TicketShare


def ticket_visible_to(*, person: User) -> QuerySet[Ticket]:
    """The tickets the person may see, as one query.

    Vendor staff see every institution's tickets (they work the shared queue). The institution
    admin sees the whole institution. Everyone else sees what they filed and what is shared with
    them, their unit or their region; on packages with region management, managers also see the
    units and regions they were granted to monitor. An inactive person sees nothing."""
    if not person.is_authenticated or not person.is_active:
        return Ticket.objects.none()
    role = person.role
    if role in VENDOR_SIDE:
        # The desk works one queue across all institutions.
        return Ticket.objects.all()
    if person.institution_id is None or role is None:
        return Ticket.objects.none()
    tickets = Ticket.objects.for_institution(person.institution_id)
    if role == Role.INSTITUTION_ADMIN:
        return tickets
    rule = Q(requester=person)
    if package_has_feature(person.institution, "has_region_management"):
        shared = Q(person=person)
        if person.unit_id:
            shared |= Q(unit_id=person.unit_id)
        if person.region_id:
            shared |= Q(region_id=person.region_id)
        rule |= Exists(TicketShare.objects.filter(shared, ticket=OuterRef("pk")))
        rule |= monitoring_scope_for(person=person)
    return tickets.filter(rule)


def ticket_get_visible(*, person: User, pk) -> Ticket | None:
    """One ticket the person may see, or None: another institution's ticket is indistinguishable
    from a missing one."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        ticket_visible_to(person=person)
        .select_related("institution", "requester", "assignee", "product", "unit", "region", "subscription__package")
        .filter(pk=pk)
        .first()
    )


def ticket_list_for_requester_side(*, person: User) -> QuerySet[Ticket]:
    return (
        ticket_visible_to(person=person)
        .select_related("product", "requester", "development_item")
        .order_by("-created_at", "-id")
    )


def ticket_messages_visible_to(*, person: User, ticket: Ticket) -> QuerySet[TicketMessage]:
    """The conversation of a ticket: internal notes only for the desk."""
    messages = TicketMessage.objects.for_institution(ticket.institution_id).filter(ticket=ticket)
    if person.role not in VENDOR_SIDE:
        messages = messages.exclude(kind=TicketMessage.Kind.NOTE)
    return messages.select_related("author").prefetch_related("attachments").order_by("created_at", "id")


def ticket_open_count_for_institution(*, person: User) -> int:
    return ticket_visible_to(person=person).filter(status__in=OPEN_STATUSES).count()


def product_list():
    return Product.objects.filter(is_active=True).order_by("name")


def ticket_queue_all_institutions(
    *,
    engineer: User,
    package: str | None = None,
    institution: str | None = None,
    product: str | None = None,
    status: str | None = None,
    scope: str | None = None,
) -> QuerySet[Ticket]:
    """The desk's queue: open tickets of every institution (the desk serves them all), by
    contract priority (1 first), then first-response deadline, then age — the order of the
    partial index ticket_queue. Filters: package code, institution slug, product code, one open
    status, and scope "mine" or "unassigned"."""
    if not engineer.is_active or engineer.role not in VENDOR_SIDE:
        return Ticket.objects.none()
    queue = Ticket.objects.filter(status__in=OPEN_STATUSES)
    if status in OPEN_STATUSES:
        queue = queue.filter(status=status)
    if package:
        queue = queue.filter(subscription__package__code=package)
    if institution:
        queue = queue.filter(institution__slug=institution)
    if product:
        queue = queue.filter(product__code=product)
    if scope == "mine":
        queue = queue.filter(assignee=engineer)
    elif scope == "unassigned":
        queue = queue.filter(assignee__isnull=True)
    return queue.select_related("institution", "product", "assignee", "subscription__package").order_by(
        "priority", "first_response_due_at", "created_at", "id"
    )


def development_item_for(*, ticket: Ticket) -> DevelopmentItem | None:
    return DevelopmentItem.objects.for_institution(ticket.institution_id).filter(ticket=ticket).first()


def ticket_board_all_institutions(*, lead: User, now=None) -> QuerySet[Ticket]:
    """The desk lead's board: unanswered open tickets of every institution (the desk serves them
    all) whose warning time has come or whose deadline has passed, the most urgent first."""
    from django.utils import timezone

    if not lead.is_active or lead.role != Role.DESK_LEAD:
        return Ticket.objects.none()
    now = now or timezone.now()
    return (
        Ticket.objects.filter(status__in=OPEN_STATUSES, first_responded_at__isnull=True)
        .filter(Q(warning_due_at__lte=now) | Q(first_response_due_at__lte=now) | Q(breached_at__isnull=False))
        .select_related("institution", "product", "assignee", "subscription__package")
        .order_by("first_response_due_at", "priority", "id")
    )


def ticket_event_list(*, person: User, ticket: Ticket) -> QuerySet:
    """A ticket's history, for the desk only (it names internal notes)."""
    from .models import TicketEvent

    if person.role not in VENDOR_SIDE:
        return TicketEvent.objects.none()
    return TicketEvent.objects.for_institution(ticket.institution_id).filter(ticket=ticket).select_related("actor")


def attachment_list_visible(*, person: User, ticket: Ticket) -> QuerySet:
    """The files of a ticket the person can see (it is up to the caller to have checked the ticket)."""
    from .models import Attachment

    files = Attachment.objects.for_institution(ticket.institution_id).filter(ticket=ticket)
    if person.role not in VENDOR_SIDE:
        files = files.exclude(message__kind=TicketMessage.Kind.NOTE)
    return files.order_by("created_at", "id")


def attachment_get_visible(*, person: User, pk):
    """One file, through its ticket's visibility: another institution's file is a missing one."""
    from .models import Attachment

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    files = Attachment.objects.filter(pk=pk, ticket__in=ticket_visible_to(person=person))
    if person.role not in VENDOR_SIDE:
        files = files.exclude(message__kind=TicketMessage.Kind.NOTE)
    return files.first()
