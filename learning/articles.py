"""Writes of the knowledge grown from resolved tickets, and of the suggestions' index.

A solution article is a library item of kind "solution" drafted from a resolved ticket by the desk
(the question rewritten without the institution's names, and the answer), reviewed and only then
published; each edit is a new `ArticleVersion`. Nothing of a ticket becomes public otherwise.

`SuggestionEntry` rows are what the suggestions rank (learning.ranking): one per published library
item or article (refreshed whenever an item is saved through library_item_index) and one per
resolved ticket (written by suggestion_ticket_index and its sweep, visible only inside the
ticket's institution). A deflection is a person saying a suggestion answered their question."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.audit import audit_record, audited
from organizations.models import User
from organizations.permissions import is_customer_side, is_desk
from tickets.models import Ticket, TicketMessage

from .models import ArticleVersion, Deflection, LibraryItem, SuggestionEntry
from .ranking import fold, question_key

logger = logging.getLogger(__name__)

ANSWERED_STATUSES = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
ARTICLE_KINDS = {LibraryItem.Kind.SOLUTION: SuggestionEntry.Kind.ARTICLE}

# The vector of an entry: title (A), question (B) and answer (C), each as the lexemes of
# suggest_lexemes (migration 0006), the same function the ranking runs over the question.
_VECTOR_SQL = """
UPDATE learning_suggestionentry SET search_vector =
    setweight(to_tsvector('simple', array_to_string(suggest_lexemes(title), ' ')), 'A')
    || setweight(to_tsvector('simple', array_to_string(suggest_lexemes(left(question, 4000)), ' ')), 'B')
    || setweight(to_tsvector('simple', array_to_string(suggest_lexemes(left(answer, 4000)), ' ')), 'C')
WHERE id = ANY(%s)
"""


def suggestion_vectors_refresh(*, entry_ids: list[int]) -> None:
    """Recompute the entries' full-text vectors (PostgreSQL; other databases match words)."""
    if connection.vendor != "postgresql" or not entry_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(_VECTOR_SQL, [list(entry_ids)])


def _require_desk(actor: User) -> None:
    if not is_desk(actor):
        raise PermissionDenied(_("Only the support desk writes solution articles."))


def _desk_replies():
    # The desk's public replies: vendor staff belong to no institution.
    return TicketMessage.objects.filter(
        kind=TicketMessage.Kind.REPLY, author__institution__isnull=True
    ).order_by("-created_at", "-id")


def _ticket_answer(ticket: Ticket) -> str:
    """The desk's last public reply on the ticket: what solved it."""
    reply = _desk_replies().filter(institution_id=ticket.institution_id, ticket=ticket).first()
    return reply.body if reply else ""


def _without_names(text: str, ticket: Ticket) -> str:
    """The ticket's text with its institution's and requester's names taken out, as a first draft
    of the question; the reviewer rewrites the rest."""
    names = [ticket.institution.name, ticket.requester.get_full_name(), ticket.requester.username]
    for name in filter(None, (name.strip() for name in names)):
        text = text.replace(name, "…")
    return text


def _version_add(*, actor: User, item: LibraryItem) -> ArticleVersion:
    version = ArticleVersion(
        item=item,
        number=item.version,
        title=item.title,
        question=item.description,
        answer=item.answer,
        edited_by=actor,
    )
    version.full_clean(exclude=["item", "edited_by"])
    version.save()
    return version


@audited("article.create")
def article_create_from_ticket(
    *,
    actor: User,
    ticket: Ticket,
    title: str = "",
    question: str = "",
    answer: str = "",
) -> LibraryItem:
    """Draft a solution article from a resolved (or closed) ticket: unpublished, version 1, the
    ticket's product; title, question and answer default to the ticket's subject, its description
    without the institution's and requester's names, and the desk's last public reply. Desk only;
    raises PermissionDenied or ValidationError (a ticket not yet resolved). Each call drafts one."""
    _require_desk(actor)
    if ticket.status not in ANSWERED_STATUSES:
        raise ValidationError({"ticket": _("Only a resolved ticket can become an article.")})
    with transaction.atomic():
        item = LibraryItem(
            kind=LibraryItem.Kind.SOLUTION,
            title=(title or ticket.subject)[:200],
            description=question or _without_names(ticket.description, ticket),
            answer=answer or _without_names(_ticket_answer(ticket), ticket),
            product_id=ticket.product_id,
            source_ticket=ticket,
            is_published=False,
            version=1,
        )
        item.full_clean(exclude=["product", "source_ticket"])
        if not item.answer.strip():
            raise ValidationError({"answer": _("The article needs an answer.")})
        item.save()
        _version_add(actor=actor, item=item)
        audit_record(actor=actor, action="article.create", target=item, after={"ticket": ticket.pk})
    logger.info("article.created", extra={"article": item.pk, "ticket": ticket.pk})
    return item


@audited("article.update")
def article_update(*, actor: User, item: LibraryItem, title: str, question: str, answer: str) -> LibraryItem:
    """Save a new version of the article. A published article stays published and its suggestion
    entry follows the new text. Desk only."""
    _require_desk(actor)
    with transaction.atomic():
        before = {"version": item.version}
        item.title, item.description, item.answer = title, question, answer
        item.version += 1
        item.full_clean(exclude=["product", "source_ticket"])
        item.save(update_fields=["title", "description", "answer", "version", "updated_at"])
        version = _version_add(actor=actor, item=item)
        if item.is_published:
            version.published_at = timezone.now()
            version.save(update_fields=["published_at"])
        suggestion_entry_refresh(item=item)
        audit_record(
            actor=actor, action="article.update", target=item, before=before, after={"version": item.version}
        )
    return item


@audited("article.publish")
def article_publish(*, actor: User, item: LibraryItem) -> LibraryItem:
    """Make the reviewed article public: customers read it in the library and it is suggested.
    Desk only. Publishing a published article changes and records nothing."""
    _require_desk(actor)
    if item.is_published:
        return item
    with transaction.atomic():
        item.is_published = True
        item.save(update_fields=["is_published", "updated_at"])
        ArticleVersion.objects.filter(item=item, number=item.version).update(published_at=timezone.now())
        suggestion_entry_refresh(item=item)
        audit_record(
            actor=actor,
            action="article.publish",
            target=item,
            before={"is_published": False},
            after={"is_published": True, "version": item.version},
        )
    logger.info("article.published", extra={"article": item.pk})
    return item


def suggestion_entry_refresh(*, item: LibraryItem) -> None:
    """Keep the item's suggestion entry in step with it: present while published, gone otherwise."""
    if not item.is_published:
        SuggestionEntry.objects.filter(item=item).delete()
        return
    kind = ARTICLE_KINDS.get(item.kind, SuggestionEntry.Kind.LIBRARY)
    entry, _created = SuggestionEntry.objects.update_or_create(
        item=item,
        defaults={
            "kind": kind,
            "item_kind": item.kind,
            "institution": None,
            "product_id": item.product_id,
            "title": item.title,
            "title_folded": fold(item.title)[:200],
            "question": item.description if kind == SuggestionEntry.Kind.ARTICLE else "",
            "answer": item.answer if kind == SuggestionEntry.Kind.ARTICLE else item.description,
            "answered_at": item.updated_at or timezone.now(),
        },
    )
    suggestion_vectors_refresh(entry_ids=[entry.pk])


def _ticket_entries(tickets) -> list[SuggestionEntry]:
    entries = []
    for ticket in tickets:
        answer = ticket.last_answer or ""
        entries.append(
            SuggestionEntry(
                kind=SuggestionEntry.Kind.TICKET,
                ticket=ticket,
                institution_id=ticket.institution_id,
                product_id=ticket.product_id,
                title=ticket.subject[:200],
                title_folded=fold(ticket.subject)[:200],
                question=ticket.description,
                answer=answer,
                answered_at=ticket.resolved_at or ticket.updated_at,
            )
        )
    return entries


def suggestion_ticket_index(*, limit: int = 500) -> int:
    """Index up to `limit` resolved or closed tickets that are not in the suggestions yet, with the
    desk's last public reply as their answer (one without is kept but never suggested); returns how
    many were indexed. Running it again skips those already indexed (the one-to-one on the ticket
    holds it under concurrent sweeps)."""
    indexed = SuggestionEntry.objects.filter(ticket__isnull=False).values("ticket_id")
    # The sweep reads every institution's resolved tickets: it builds each institution's own entries.
    tickets = list(
        Ticket.objects.filter(status__in=ANSWERED_STATUSES)
        .exclude(pk__in=indexed)
        .annotate(last_answer=Subquery(_desk_replies().filter(ticket=OuterRef("pk")).values("body")[:1]))
        .order_by("resolved_at", "id")[:limit]
    )
    entries = _ticket_entries(tickets)
    try:
        with transaction.atomic():
            SuggestionEntry.objects.bulk_create(entries)
    except IntegrityError:
        return 0
    suggestion_vectors_refresh(entry_ids=[entry.pk for entry in entries if entry.pk])
    return len(entries)


def deflection_record(
    *, actor: User, kind: str, object_id: int, subject: str, description: str
) -> tuple[Deflection, bool]:
    """Record that a suggestion answered the actor's question, so no ticket is filed and no unit
    drawn. Counted once per person and question: the same question again returns the first record
    and False. Customer side only; the caller has checked that the actor may be offered the answer."""
    if not is_customer_side(actor) or actor.institution_id is None:
        raise PermissionDenied(_("Only people of a customer institution record an answered question."))
    key = question_key(subject=subject, description=description)
    existing = Deflection.objects.for_institution(actor.institution_id).filter(person=actor, question_key=key)
    found = existing.first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            deflection = Deflection(
                institution_id=actor.institution_id,
                person=actor,
                kind=kind,
                object_id=object_id,
                question_key=key,
                subject=subject[:200],
            )
            deflection.save()
    except IntegrityError:
        return existing.get(), False
    logger.info("suggestion.deflected", extra={"person": actor.pk, "kind": kind, "object_id": object_id})
    return deflection, True
