"""Reads of the development unit's items: the queue, one item with its linked tickets, the search
an engineer links a ticket with. The queue crosses institutions by design: one item gathers the
reports of every institution. Who may read it is decided by organizations.permissions
(works_development); the customer side never comes here — it sees an item only through its own
ticket (tickets.selectors.ticket_visible_to)."""

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Min, Q, QuerySet

from organizations.models import User
from organizations.permissions import works_development

from .models import DevelopmentItem, Ticket

SEARCH_CONFIG = "turkish"

# The queue's orders: the best package priority among the reporting tickets (1, Premium+, first, as
# the desk's queue), how many institutions reported the item, the newest.
ORDERS = {
    "priority": ("best_priority", "-institutions_reporting", "created_at", "id"),
    "institutions": ("-institutions_reporting", "best_priority", "created_at", "id"),
    "newest": ("-created_at", "-id"),
}


def _search(items: QuerySet[DevelopmentItem], q: str) -> QuerySet[DevelopmentItem]:
    """Words in the title or the public note. On PostgreSQL, full-text search in the turkish
    configuration (an inflected form meets its stem: `belediyeler` finds `belediye`), elsewhere
    every word as a substring."""
    q = q.strip()
    if not q:
        return items
    if q.lstrip("#").isdigit():
        return items.filter(pk=int(q.lstrip("#")))
    if connection.vendor == "postgresql":
        vector = SearchVector("title", "public_note", config=SEARCH_CONFIG)
        return items.annotate(search=vector).filter(search=SearchQuery(q, config=SEARCH_CONFIG))
    for word in q.split():
        items = items.filter(Q(title__icontains=word) | Q(public_note__icontains=word))
    return items


def development_item_list_all_institutions(
    *,
    person: User,
    product: str = "",
    state: str = "",
    q: str = "",
    package: str = "",
    order: str = "priority",
) -> QuerySet[DevelopmentItem]:
    """The development queue: items not merged away, with `best_priority` (the best contract
    priority among the linked tickets) and `ticket_count`. Filters: product code, state, words,
    the package of a reporting ticket. Nobody but the development unit and vendor staff reads it."""
    if not works_development(person):
        return DevelopmentItem.objects.none()
    items = DevelopmentItem.objects.filter(merged_into__isnull=True)
    if product:
        items = items.filter(product__code=product)
    if state in DevelopmentItem.State.values:
        items = items.filter(state=state)
    if package:
        items = items.filter(
            pk__in=Ticket.objects.filter(subscription__package__code=package).values("development_item_id")
        )
    items = _search(items, q)
    return (
        items.select_related("product")
        .annotate(best_priority=Min("tickets__priority"), ticket_count=Count("tickets", distinct=True))
        .order_by(*ORDERS.get(order, ORDERS["priority"]))
    )


def development_item_get_all_institutions(*, person: User, pk) -> DevelopmentItem | None:
    """One item for the development unit and vendor staff (None for anyone else, or no such item)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not works_development(person):
        return None
    return (
        DevelopmentItem.objects.select_related("product", "merged_into")
        .annotate(best_priority=Min("tickets__priority"), ticket_count=Count("tickets", distinct=True))
        .filter(pk=pk)
        .first()
    )


def development_item_packages(*, item: DevelopmentItem) -> list[dict]:
    """Which packages' tickets reported the item, the best priority first, with how many tickets
    and institutions each."""
    return list(
        Ticket.objects.filter(development_item=item)
        .values("subscription__package__code", "subscription__package__name", "priority")
        .annotate(tickets=Count("id"), institutions=Count("institution", distinct=True))
        .order_by("priority", "subscription__package__name")
    )


def development_item_tickets_all_institutions(*, person: User, item: DevelopmentItem) -> QuerySet[Ticket]:
    """The tickets linked to the item, for the development unit and vendor staff: only what a
    development queue needs of them (subject, description, kind, status, institution, package) —
    never their messages or internal notes."""
    if not works_development(person):
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(development_item=item)
        .select_related("institution", "subscription__package", "product")
        .only(
            "pk",
            "subject",
            "description",
            "kind",
            "status",
            "priority",
            "created_at",
            "institution__name",
            "institution__slug",
            "subscription__package__name",
            "subscription__package__code",
            "product__name",
            "development_item_id",
        )
        .order_by("priority", "created_at", "pk")
    )
