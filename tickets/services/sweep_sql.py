"""The breach and warning sweep as set-based SQL (PostgreSQL): one statement marks a batch of due
tickets and writes their history events and SLA log entries, a second writes their e-mails to
the outbox of core, one row per recipient in its e-mail language. Python touches only what is the
same for the whole batch (the translated texts, the desk leads' addresses, the recipients'
languages, the address of a ticket) and the deadline as shown, once per minute and language.

It writes exactly what `sla._record` writes ticket by ticket (tests/tickets/test_sweep_sql.py
compares the two), at tens of thousands of tickets a second instead of about a thousand: a mass
deadline — 100,000 tickets due in one minute — is recorded within seconds of each deadline."""

import datetime
import re
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.utils import formats, timezone, translation

from core.models import OutboxMessage
from organizations.models import Institution, User
from tickets.models import SLAEvent, Ticket, TicketEvent

# A ticket id no real ticket has, to turn one reverse() into a pattern for every ticket.
LINK_MARKER = 987654321987654321

_FIELD = re.compile(r"%\((\w+)\)s|%%")


def format_pattern(text: str, names: list[str]) -> str:
    """A Python %(name)s template as a PostgreSQL format() pattern with positional arguments in
    the order of `names`: "#%(id)s" → "#%1$s". A literal %% stays %% in both."""

    def field(match: re.Match) -> str:
        return "%%" if match.group(0) == "%%" else f"%{names.index(match.group(1)) + 1}$s"

    return _FIELD.sub(field, text)


def _isoformat_sql(column: str) -> str:
    """What Python's isoformat() gives for a UTC datetime: microseconds only when not zero."""
    return (
        f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"CASE WHEN date_trunc('second', {column}) = {column} THEN '' "
        f"ELSE to_char({column} AT TIME ZONE 'UTC', '.US') END || '+00:00'"
    )


def _shown(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


EMAIL_FIELDS = ["id", "subject", "institution", "priority", "due", "link"]


def email_cause(kind: str, ticket_id: int) -> str:
    """The outbox cause of a ticket's breach or warning e-mail (one row per recipient)."""
    return f"tickets.sla_{'breach' if kind == SLAEvent.Kind.BREACHED else 'warning'}:{ticket_id}"


def _cause_prefix(kind: str) -> str:
    return email_cause(kind, 0)[:-1]


def record_due(
    *,
    predicate_sql: str,
    predicate_params: list,
    order: str,
    limit: int,
    kind: str,
    now: datetime.datetime,
    texts: dict[str, tuple[str, str]],
    leads: Callable[[], dict[str, str]],
    language_of: Callable[[int], str],
    link: str,
) -> tuple[int, int]:
    """Mark up to `limit` due tickets (rows matching `predicate_sql`, locked with SKIP LOCKED,
    `order` first) breached or warned, with their history events, SLA log entries and e-mails.
    Runs in the caller's transaction; returns how many tickets it marked and how many e-mails it
    queued (one per recipient; none for a ticket with nobody to write to).

    texts: for each language, the translated subject and body with %(name)s fields (EMAIL_FIELDS);
    leads: gives the desk leads' addresses, each with its e-mail language, asked only when a ticket
    was marked; language_of: a person's e-mail language (the assignees'); link: the address of
    ticket LINK_MARKER. Each e-mail is in its recipient's language."""
    breached = kind == SLAEvent.Kind.BREACHED
    ticket = Ticket._meta.db_table
    mark = "breached_at = t.first_response_due_at" if breached else "warned_at = %(now)s"
    params = {
        "limit": limit,
        "now": now,
        "now_iso": now.isoformat(),
        "sla_kind": kind,
        "event_kind": TicketEvent.Kind.SLA_BREACHED if breached else TicketEvent.Kind.SLA_WARNING,
    }
    # The predicate's own %s parameters are numbered into the named ones.
    predicate = predicate_sql
    for index, value in enumerate(predicate_params):
        predicate = predicate.replace("%s", f"%(p{index})s", 1)
        params[f"p{index}"] = value
    occurred = "m.first_response_due_at" if breached else "m.warning_due_at"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH due AS (
                SELECT id FROM {ticket} WHERE {predicate}
                ORDER BY {order} LIMIT %(limit)s FOR UPDATE SKIP LOCKED
            ), marked AS (
                UPDATE {ticket} AS t SET {mark} FROM due WHERE t.id = due.id
                RETURNING t.id, t.institution_id, t.priority, t.first_response_minutes, t.service_window_start,
                          t.service_window_end, t.service_timezone, t.subscription_id, t.first_response_due_at,
                          t.warning_due_at, t.assignee_id
            ), history AS (
                INSERT INTO {TicketEvent._meta.db_table} (ticket_id, institution_id, kind, actor_id, data, created_at)
                SELECT m.id, m.institution_id, %(event_kind)s, NULL,
                       jsonb_build_object('due_at', {_isoformat_sql("m.first_response_due_at")},
                                          'recorded_at', %(now_iso)s::text),
                       %(now)s
                FROM marked m ORDER BY m.id
            ), log AS (
                INSERT INTO {SLAEvent._meta.db_table} (
                    ticket_id, institution_id, kind, occurred_at, recorded_at, deadline_at, terms)
                SELECT m.id, m.institution_id, %(sla_kind)s, {occurred}, %(now)s, m.first_response_due_at,
                       jsonb_build_object(
                           'priority', m.priority,
                           'first_response_minutes', m.first_response_minutes,
                           'window_start', to_char(m.service_window_start, 'HH24:MI'),
                           'window_end', to_char(m.service_window_end, 'HH24:MI'),
                           'timezone', m.service_timezone,
                           'subscription_id', m.subscription_id)
                FROM marked m ORDER BY m.id
                ON CONFLICT DO NOTHING
            )
            SELECT m.id, m.first_response_due_at, m.assignee_id FROM marked m
            """,  # noqa: S608 - table and column names from the models, values as parameters
            params,
        )
        rows = cursor.fetchall()
        if not rows:
            return 0, 0
        # The deadline as the e-mails show it, once per minute (the short date-time format shows
        # minutes at most) and language rather than once per ticket.
        minutes = sorted({due.replace(second=0, microsecond=0) for _, due, _ in rows})
        lead_languages = leads()
        assignees = {assignee for _, _, assignee in rows if assignee is not None}
        assignee_languages = {pk: language_of(pk) for pk in sorted(assignees)}
        languages = sorted({*texts} & {*lead_languages.values(), *assignee_languages.values()})
        languages = languages or [settings.LANGUAGE_CODE]
        shown = []
        for language in languages:
            with translation.override(language):
                shown += [(minute, language, _shown(minute)) for minute in minutes]
        prefix, suffix = link.split(str(LINK_MARKER))
        cursor.execute(
            f"""
            INSERT INTO {OutboxMessage._meta.db_table} (
                channel, cause, recipient, language, subject, body, html, attachments, headers,
                renderer, context, status, attempts, next_attempt_at, last_error, created_at, sent_at)
            SELECT %(channel)s, %(cause)s || t.id, recipients.address, recipients.language,
                   format(texts.subject, t.id, t.subject, i.name, t.priority, shown.text, link.text),
                   format(texts.body, t.id, t.subject, i.name, t.priority, shown.text, link.text),
                   '', '[]'::jsonb, '{{}}'::jsonb, '', '{{}}'::jsonb, %(status)s, 0, %(now)s, '', %(now)s, NULL
            FROM {ticket} t
            JOIN {Institution._meta.db_table} i ON i.id = t.institution_id
            LEFT JOIN {User._meta.db_table} a ON a.id = t.assignee_id
            LEFT JOIN unnest(%(assignee_ids)s::bigint[], %(assignee_languages)s::text[])
                AS assignee_language (id, language) ON assignee_language.id = t.assignee_id
            CROSS JOIN LATERAL (SELECT %(prefix)s || t.id || %(suffix)s AS text) link
            CROSS JOIN LATERAL (
                -- A desk lead who is also the assignee is written to once, as a desk lead.
                SELECT DISTINCT ON (address) address, language FROM (
                    SELECT lead.address, lead.language, 0 AS rank
                    FROM unnest(%(lead_addresses)s::text[], %(lead_languages)s::text[]) AS lead (address, language)
                    UNION ALL
                    SELECT coalesce(a.email, ''), coalesce(assignee_language.language, %(language)s), 1
                ) candidates
                WHERE address <> ''
                ORDER BY address, rank
            ) recipients
            JOIN unnest(%(languages)s::text[], %(subjects)s::text[], %(bodies)s::text[])
                AS texts (language, subject, body) ON texts.language = recipients.language
            JOIN unnest(%(minutes)s::timestamptz[], %(shown_languages)s::text[], %(shown)s::text[])
                AS shown (minute, language, text)
                ON shown.minute = date_trunc('minute', t.first_response_due_at)
                AND shown.language = recipients.language
            WHERE t.id = ANY(%(ids)s)
            ORDER BY t.id, recipients.address COLLATE "C"
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 - table names from the models, values as parameters
            {
                "channel": OutboxMessage.Channel.EMAIL,
                "cause": _cause_prefix(kind),
                "language": settings.LANGUAGE_CODE,
                "status": OutboxMessage.Status.PENDING,
                "languages": languages,
                "subjects": [format_pattern(texts[language][0], EMAIL_FIELDS) for language in languages],
                "bodies": [format_pattern(texts[language][1], EMAIL_FIELDS) for language in languages],
                "now": now,
                "minutes": [minute for minute, _, _ in shown],
                "shown_languages": [language for _, language, _ in shown],
                "shown": [text for _, _, text in shown],
                "prefix": prefix,
                "suffix": suffix,
                "lead_addresses": list(lead_languages),
                "lead_languages": list(lead_languages.values()),
                "assignee_ids": list(assignee_languages),
                "assignee_languages": list(assignee_languages.values()),
                "ids": [pk for pk, _, _ in rows],
            },
        )
        return len(rows), cursor.rowcount
