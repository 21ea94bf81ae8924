"""Run by tests/reliability/test_embedded.py in a process of its own, on the embedded default's
SQLite file and filesystem broker (from the environment): files a burst of tickets, gives every
one of them warning and breach timers a few minutes ahead (as filing inside the service window
does — filing at night sends none), then moves one ticket's deadline into the past and waits for
the workers to record its breach. Prints one JSON line with the figures."""

import datetime
import json
import os
import time

import django


def main() -> None:
    django.setup()
    from django.utils import timezone

    from organizations.roles import Role
    from tests.factories import PersonFactory, TicketFactory, customer_with_subscription
    from tickets.models import SLAEvent, Ticket
    from tickets.services.sla import ticket_deadline_correct

    burst = int(os.environ.get("BURST_TICKETS", "100"))
    lead = PersonFactory(role=Role.DESK_LEAD)
    PersonFactory(role=Role.SUPPORT_ENGINEER)
    customer = customer_with_subscription("premium")

    started = time.monotonic()
    tickets = [TicketFactory(requester=customer) for _ in range(burst)]
    soon = timezone.now() + datetime.timedelta(minutes=10)
    for ticket in tickets:
        ticket_deadline_correct(actor=lead, ticket=ticket, due_at=soon)
    filed_seconds = time.monotonic() - started

    late = Ticket.objects.get(pk=tickets[0].pk)
    moved_at = timezone.now()
    ticket_deadline_correct(actor=lead, ticket=late, due_at=moved_at - datetime.timedelta(seconds=1))
    moved_at = timezone.now()
    deadline = time.monotonic() + 30
    event = None
    while event is None and time.monotonic() < deadline:
        event = SLAEvent.objects.filter(ticket=late, kind=SLAEvent.Kind.BREACHED).first()
        time.sleep(0.1)
    print(
        json.dumps(
            {
                "tickets": burst,
                "filed_seconds": round(filed_seconds, 2),
                "lag_seconds": round((event.recorded_at - moved_at).total_seconds(), 2) if event else None,
                "breaches": SLAEvent.objects.filter(ticket=late, kind=SLAEvent.Kind.BREACHED).count(),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
