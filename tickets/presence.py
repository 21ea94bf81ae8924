"""Who of the desk is on a ticket right now, and whether they are typing: kept in the cache (Redis
in production) under one key per ticket, each person's mark expiring PRESENCE_SECONDS after their
page last said so. Nothing here is written to the database: it is a hint for the desk, lost
without harm when the cache is."""

import time

from django.conf import settings
from django.core.cache import cache

from organizations.models import User


def presence_seconds() -> int:
    # The ticket page reports every few seconds (POLL_SECONDS); a mark outlives three missed
    # reports before the person counts as gone. Read per call, so a test can shorten it.
    return getattr(settings, "TICKET_PRESENCE_SECONDS", 15)


def poll_seconds() -> int:
    return getattr(settings, "TICKET_PRESENCE_POLL_SECONDS", 4)


def _key(ticket_id: int) -> str:
    return f"ticket-presence:{ticket_id}"


def _display_name(person: User) -> str:
    return person.get_full_name() or person.username


def presence_mark(*, ticket_id: int, person: User, typing: bool) -> None:
    """Note that the person has the ticket open (and is typing an answer, or not). Two pages
    marking at the same moment may drop one mark; the next report, seconds later, restores it."""
    now = time.time()
    ttl = presence_seconds()
    marks = {
        person_id: mark
        for person_id, mark in (cache.get(_key(ticket_id)) or {}).items()
        if mark["at"] > now - ttl
    }
    marks[person.pk] = {"name": _display_name(person), "typing": bool(typing), "at": now}
    cache.set(_key(ticket_id), marks, ttl)


def presence_leave(*, ticket_id: int, person: User) -> None:
    marks = cache.get(_key(ticket_id)) or {}
    if marks.pop(person.pk, None) is not None:
        cache.set(_key(ticket_id), marks, presence_seconds())


def presence_others(*, ticket_id: int, person: User) -> list[dict]:
    """The other desk members on the ticket, by name, with whether they are typing."""
    now = time.time()
    ttl = presence_seconds()
    marks = cache.get(_key(ticket_id)) or {}
    return sorted(
        (
            {"name": mark["name"], "typing": mark["typing"]}
            for person_id, mark in marks.items()
            if person_id != person.pk and mark["at"] > now - ttl
        ),
        key=lambda mark: mark["name"],
    )
