"""Call-back and remote-session requests: the customer asks on a ticket, the desk sees it in the
queue and on the ticket, and does it with the existing call or remote-session log."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organizations.models import User
from organizations.permissions import is_customer_side
from tickets.models import Ticket
from tickets.selectors import ticket_get_visible
from tickets.services.outbox import ticket_link

from ..models import ContactRequest
from ..selectors import contact_request_list_for_ticket
from .common import in_portal_language, notify


def contact_request_add(
    *, actor: User, ticket: Ticket, kind: str, preferred_times: str, note: str = ""
) -> ContactRequest:
    """A customer who sees the ticket asks for a call or a remote session at preferred times (one
    line per time), with an optional note. An open request of the same kind is returned as it is,
    so asking twice adds nothing. The desk leads are e-mailed. Refused on a closed ticket."""
    if not is_customer_side(actor) or ticket_get_visible(person=actor, pk=ticket.pk) is None:
        raise PermissionDenied(_("You are not allowed to do this."))
    if kind not in ContactRequest.Kind.values:
        raise ValidationError({"kind": _("Choose a phone call or a remote session.")})
    preferred_times = (preferred_times or "").strip()
    if not preferred_times:
        raise ValidationError({"preferred_times": _("Say when you can be reached.")})
    if ticket.status == Ticket.Status.CLOSED:
        raise ValidationError(_("This ticket is closed."), code="invalid_transition")
    with transaction.atomic():
        Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
        existing = contact_request_list_for_ticket(ticket=ticket).filter(kind=kind, is_done=False).first()
        if existing is not None:
            return existing
        request = ContactRequest(
            institution_id=ticket.institution_id,
            ticket=ticket,
            kind=kind,
            preferred_times=preferred_times[:300],
            note=(note or "").strip()[:2000],
            requested_by=actor,
        )
        request.full_clean()
        request.save()
        with in_portal_language():
            notify(
                institution=ticket.institution,
                to_vendor=True,
                link=ticket_link(ticket.pk),
                subject=lambda: (
                    _("#%(id)s: %(kind)s requested") % {"id": ticket.pk, "kind": request.get_kind_display()}
                ),
                body=lambda: (
                    _("%(person)s asks for a %(kind)s on ticket #%(id)s “%(subject)s”, preferably: %(times)s")
                    % {
                        "person": actor.get_full_name() or actor.username,
                        "kind": request.get_kind_display().lower(),
                        "id": ticket.pk,
                        "subject": ticket.subject,
                        "times": request.preferred_times,
                    }
                ),
            )
    return request
