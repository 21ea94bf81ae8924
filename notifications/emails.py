"""Building the e-mail of a notification: subject, plain text and HTML from templates in the
recipient's language, and the headers that thread a ticket's mails, let the recipient reply
and unsubscribe in one click, and keep auto-responders from answering."""

import datetime
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from tickets.models import DevelopmentItem, Ticket
from tickets.services.outbox import ticket_link

from .extras import email_links
from .models import MANDATORY_KINDS, Kind, Notification
from .selectors import language_for, message_body
from .tokens import reply_address, unsubscribe_token


def mail_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].partition("@")[2] or "localhost"


def message_id(notification: Notification) -> str:
    return f"<notification-{notification.pk}@{mail_domain()}>"


def thread_id(ticket_id: int) -> str:
    """The Message-ID every mail about a ticket refers to, so that mail clients thread them."""
    return f"<ticket-{ticket_id}@{mail_domain()}>"


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(*, person_id: int, kind: str) -> str:
    return _site(
        reverse("notification-unsubscribe", args=[unsubscribe_token(person_id=person_id, kind=kind)])
    )


def _name(person) -> str:
    return (person.get_full_name() or person.get_username()) if person else _("The support desk")


def _message_body(data: dict) -> str:
    message_id_ = data.get("message_id")
    if not message_id_:
        return ""
    return message_body(message_id=message_id_)


def _about(notification: Notification, ticket: Ticket) -> tuple[str, list[str], str]:
    """Headline, paragraphs and quoted text of a ticket notification."""
    data, kind = notification.data, notification.kind
    event = notification.event
    actor = _name(event.actor if event else None)
    if kind == Kind.TICKET_FILED:
        return (
            _("We received your ticket"),
            [
                _("Your ticket has been filed. The desk will answer by %(due)s at the latest.")
                % {"due": _date(ticket.first_response_due_at)}
            ],
            ticket.description,
        )
    if kind == Kind.DESK_ANSWERED:
        return (
            _("The desk answered"),
            [_("%(name)s answered your ticket:") % {"name": actor}],
            _message_body(data),
        )
    if kind == Kind.CUSTOMER_REPLIED:
        return _("New reply"), [_("%(name)s replied on the ticket:") % {"name": actor}], _message_body(data)
    if kind == Kind.WAITING_ON_CUSTOMER:
        return _("We need information from you"), [_("The desk is waiting for your answer to continue.")], ""
    if kind == Kind.RESOLVED:
        return (
            _("Your ticket was resolved"),
            [
                _(
                    "If the problem is not solved, reply to this e-mail within %(days)s days to reopen the ticket."
                )
                % {"days": settings.TICKET_REOPEN_DAYS}
            ],
            "",
        )
    if kind == Kind.REOPENED:
        return _("The ticket was reopened"), [_("%(name)s reopened the ticket.") % {"name": actor}], ""
    if kind == Kind.DEVELOPMENT_UPDATED:
        return _("Development item changed"), _development_lines(data), ""
    if kind == Kind.SHARE_GIVEN:
        return (
            _("A ticket was shared with you"),
            [_("%(name)s shared this ticket with you.") % {"name": actor}],
            "",
        )
    return Kind(kind).label, [], ""


def _development_lines(data: dict) -> list[str]:
    """What became of the development item the ticket reports: its state, plan and release, as
    the event that caused the e-mail recorded them."""
    lines = []
    if data.get("merged_from"):
        lines.append(_("Your report was joined with others that report the same."))
    lines.append(
        _("The development item is now: %(state)s.") % {"state": DevelopmentItem.State(data.get("new")).label}
    )
    planned_on = data.get("planned_on") or data.get("expected_on")
    if planned_on:
        day = formats.date_format(datetime.date.fromisoformat(planned_on), "DATE_FORMAT")
        lines.append(_("Planned date: %(date)s.") % {"date": day})
    if data.get("planned_version") and data.get("new") != DevelopmentItem.State.RELEASED:
        lines.append(_("Planned version: %(version)s.") % {"version": data["planned_version"]})
    if data.get("released_version"):
        lines.append(_("Released in version %(version)s.") % {"version": data["released_version"]})
    return lines


def _date(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _render(template: str, context: dict) -> tuple[str, str]:
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    return text, html


def _ticket_context(notification: Notification) -> dict:
    ticket = notification.ticket
    headline, lines, quote = _about(notification, ticket)
    return {
        "headline": headline,
        "lines": lines,
        "quote": quote,
        "ticket": ticket,
        "institution": ticket.institution.name,
        "product": ticket.product.name if ticket.product_id else "",
        "link": ticket_link(ticket.pk),
        "actions": email_links(notification.kind, ticket, notification.recipient),
        "subject": f"[#{ticket.pk}] {ticket.subject} — {headline}",
    }


def _digest_context(notification: Notification) -> dict:
    items = [
        {"kind": Kind(item.kind).label, "ticket": item.ticket, "link": ticket_link(item.ticket_id)}
        for item in notification.items.select_related("ticket").order_by("id")
    ]
    return {
        "headline": _("Your daily digest"),
        "items": items,
        "summary": notification.data.get("summary"),
        "institution": notification.institution.name if notification.institution_id else "",
        "subject": _("Daily digest for %(date)s") % {"date": notification.digest_on.isoformat()},
    }


def _refused_context(notification: Notification) -> dict:
    return {
        "headline": _("Your e-mail could not be accepted"),
        "reason": notification.data.get("reason_text", ""),
        "original_subject": notification.data.get("subject", ""),
        "subject": _("Re: %(subject)s") % {"subject": notification.data.get("subject") or _("your e-mail")},
    }


def _can_unsubscribe(notification: Notification) -> bool:
    """Whether the e-mail gets a one-click unsubscribe: not for mandatory kinds and intake
    answers, nor for a digest made only of what the person chose to get in the digest (there is
    no admin summary to stop; the preferences page changes the held kinds)."""
    if not notification.recipient_id or notification.kind in MANDATORY_KINDS | {Kind.INTAKE_REFUSED}:
        return False
    return notification.kind != Kind.DAILY_DIGEST or bool(notification.data.get("summary"))


def notification_email(notification: Notification, connection=None) -> EmailMultiAlternatives:
    """The e-mail for a notification, rendered in the recipient's language."""
    language = language_for(person_id=notification.recipient_id)
    with translation.override(language):
        headers = {
            "Message-ID": message_id(notification),
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        }
        reply_to = []
        if notification.kind == Kind.DAILY_DIGEST:
            context, template = _digest_context(notification), "digest"
        elif notification.kind == Kind.INTAKE_REFUSED:
            context, template = _refused_context(notification), "intake_refused"
            headers["Auto-Submitted"] = "auto-replied"
            if notification.data.get("in_reply_to"):
                headers["In-Reply-To"] = headers["References"] = notification.data["in_reply_to"]
        else:
            context, template = _ticket_context(notification), "notification"
            headers["In-Reply-To"] = headers["References"] = thread_id(notification.ticket_id)
            reply_to = [reply_address(ticket_id=notification.ticket_id, person_id=notification.recipient_id)]
        if _can_unsubscribe(notification):
            url = unsubscribe_url(person_id=notification.recipient_id, kind=notification.kind)
            context["unsubscribe_url"] = url
            headers["List-Unsubscribe"] = f"<{url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        context.update(lang=language, can_reply=bool(reply_to), site_url=settings.SITE_URL)
        text, html = _render(template, context)
        email = EmailMultiAlternatives(
            subject=context["subject"],
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.to_address],
            reply_to=reply_to,
            headers=headers,
            connection=connection,
        )
        email.attach_alternative(html, "text/html")
    return email
