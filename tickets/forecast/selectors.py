"""What the breach forecast reads, as plain tuples. The desk serves every institution, so these
read across them (`*_all_institutions`): the queue is one queue."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Max
from django.db.models.functions import ExtractHour

from organizations.models import AuditEvent, DutyChange, User
from organizations.roles import Role
from tickets.models import OPEN_STATUSES, Ticket, TicketEvent

# (ticket id, priority, first response due at, filed at, kind, product id)
QueueRow = tuple[int, int, datetime.datetime, datetime.datetime, str, int | None]


def forecast_queue_all_institutions() -> list[QueueRow]:
    """Every open ticket still waiting for its first response (the partial index ticket_board)."""
    return list(
        Ticket.objects.filter(status__in=OPEN_STATUSES, first_responded_at__isnull=True)
        .order_by()
        .values_list("pk", "priority", "first_response_due_at", "created_at", "kind", "product_id")
    )


def forecast_still_waiting_all_institutions(*, ticket_ids: list[int]) -> set[int]:
    """Which of these tickets are still open and unanswered, now."""
    if not ticket_ids:
        return set()
    return set(
        Ticket.objects.filter(
            pk__in=ticket_ids, status__in=OPEN_STATUSES, first_responded_at__isnull=True
        ).values_list("pk", flat=True)
    )


def forecast_engineers() -> list[tuple[int, bool]]:
    """(id, on duty) of the active support engineers: the people routing gives tickets to."""
    return list(
        User.objects.filter(role=Role.SUPPORT_ENGINEER, is_active=True)
        .order_by("pk")
        .values_list("pk", "is_on_duty")
    )


def forecast_duty_changes(
    *, now: datetime.datetime, until: datetime.datetime
) -> list[tuple[datetime.datetime, int, bool]]:
    """(at, engineer, on duty) of the duty changes planned from now until `until`."""
    return list(
        DutyChange.objects.filter(
            applied_at__isnull=True,
            at__gt=now,
            at__lte=until,
            person__role=Role.SUPPORT_ENGINEER,
            person__is_active=True,
        )
        .order_by("at", "id")
        .values_list("at", "person_id", "is_on_duty")
    )


def forecast_first_responses_all_institutions(
    *, since: datetime.datetime
) -> list[tuple[int, str, int | None, datetime.datetime, datetime.datetime]]:
    """(engineer, kind, product, filed at, answered at) of the first responses engineers made
    since `since`: the history the handling rates are learnt from."""
    return list(
        TicketEvent.objects.filter(
            kind=TicketEvent.Kind.FIRST_RESPONSE,
            created_at__gte=since,
            actor__role=Role.SUPPORT_ENGINEER,
        )
        .order_by("created_at", "id")
        .values_list("actor_id", "ticket__kind", "ticket__product_id", "ticket__created_at", "created_at")
    )


def forecast_duty_starts(*, since: datetime.datetime) -> list[tuple[int, datetime.datetime]]:
    """(person, at) of every time a person went on duty since `since` (the audit log)."""
    return list(
        AuditEvent.objects.filter(
            action="person.set_on_duty",
            target_type=User._meta.label_lower,
            created_at__gte=since,
            after__is_on_duty=True,
        )
        .order_by("created_at", "id")
        .values_list("target_id", "created_at")
    )


def _last_duty_change(
    *, engineer_ids: list[int], since: datetime.datetime, on_duty: bool
) -> dict[int, datetime.datetime]:
    """Per engineer, when they last went on (or off) duty since `since` (the audit log)."""
    return dict(
        AuditEvent.objects.filter(
            action="person.set_on_duty",
            target_type=User._meta.label_lower,
            target_id__in=engineer_ids,
            created_at__gte=since,
            after__is_on_duty=on_duty,
        )
        .order_by()
        .values("target_id")
        .annotate(at=Max("created_at"))
        .values_list("target_id", "at")
    )


def forecast_last_free(*, engineer_ids: list[int], since: datetime.datetime) -> dict[int, datetime.datetime]:
    """Per engineer, when they last became free for the queue since `since`: their last first
    response or their last going on duty, whichever is later."""
    if not engineer_ids:
        return {}
    last: dict[int, datetime.datetime] = dict(
        TicketEvent.objects.filter(
            kind=TicketEvent.Kind.FIRST_RESPONSE, actor_id__in=engineer_ids, created_at__gte=since
        )
        .order_by()
        .values("actor_id")
        .annotate(at=Max("created_at"))
        .values_list("actor_id", "at")
    )
    for person, at in _last_duty_change(engineer_ids=engineer_ids, since=since, on_duty=True).items():
        if person not in last or at > last[person]:
            last[person] = at
    return last


def forecast_last_off(*, engineer_ids: list[int], since: datetime.datetime) -> dict[int, datetime.datetime]:
    """Per engineer, when they last went off duty since `since`: one who went off with a ticket in
    hand still answers it."""
    if not engineer_ids:
        return {}
    return _last_duty_change(engineer_ids=engineer_ids, since=since, on_duty=False)


def forecast_filings_all_institutions(
    *, since: datetime.datetime, zone: ZoneInfo
) -> list[tuple[int, str, int | None, int, int]]:
    """(priority, kind, product, hour of the day in `zone`, count) of the tickets filed since
    `since`."""
    return list(
        Ticket.objects.filter(created_at__gte=since)
        .order_by()
        .annotate(hour=ExtractHour("created_at", tzinfo=zone))
        .values("priority", "kind", "product_id", "hour")
        .annotate(count=Count("pk"))
        .values_list("priority", "kind", "product_id", "hour", "count")
    )


def desk_lead_recipients() -> list[tuple[int, str]]:
    """(id, e-mail) of the active desk leads."""
    return list(
        User.objects.filter(role=Role.DESK_LEAD, is_active=True).order_by("pk").values_list("pk", "email")
    )
