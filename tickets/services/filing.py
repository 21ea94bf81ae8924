import datetime
import logging
import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import User
from organizations.permissions import is_customer_side, is_desk
from packages.models import Channel, Product
from packages.selectors import subscription_in_force
from packages.services import ticket_unit_draw
from tickets.models import Attachment, Ticket, TicketEvent, TicketMessage

from .development import development_item_open_for_filing
from .events import event_record
from .outbox import outbox_route_add
from .sla import sla_clock_start, sla_deadlines, sla_first_response

logger = logging.getLogger(__name__)

DEVELOPMENT_KINDS = (Ticket.Kind.BUG, Ticket.Kind.FEATURE)
# A ticket the desk files while talking to the customer (a call, a remote session, an on-site
# visit) was answered by an engineer at that moment: its filing is its first response.
DESK_CONTACT_CHANNELS = (Channel.PHONE, Channel.REMOTE, Channel.ONSITE_DAYS)


def attachment_validate(upload: UploadedFile) -> None:
    """Refuse a file that is too large or of a type the desk does not accept."""
    extension = PurePath(upload.name or "").suffix.lower().lstrip(".")
    if extension not in settings.ATTACHMENT_ALLOWED_EXTENSIONS:
        raise ValidationError(
            {
                "attachments": _("“%(name)s” is not an accepted file type. Accepted: %(types)s.")
                % {"name": upload.name, "types": ", ".join(settings.ATTACHMENT_ALLOWED_EXTENSIONS)}
            }
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "attachments": _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
                % {
                    "name": upload.name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
                }
            }
        )


def attachment_add(
    *, actor: User, ticket: Ticket, upload: UploadedFile, message: TicketMessage | None = None
) -> Attachment:
    """Store one file with the ticket (under MEDIA_ROOT). Raises ValidationError for a refused file."""
    attachment_validate(upload)
    attachment = Attachment(
        ticket=ticket,
        message=message,
        institution_id=ticket.institution_id,
        original_name=PurePath(upload.name).name[:255],
        content_type=upload.content_type
        or mimetypes.guess_type(upload.name)[0]
        or "application/octet-stream",
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(PurePath(upload.name).name, upload, save=False)
    attachment.save()
    event_record(
        ticket=ticket, kind=TicketEvent.Kind.ATTACHMENT_ADDED, actor=actor, name=attachment.original_name
    )
    return attachment


def ticket_file(
    *,
    actor: User,
    subject: str,
    description: str,
    kind: str = Ticket.Kind.QUESTION,
    product: Product | None = None,
    attachments: list[UploadedFile] | tuple = (),
    at: datetime.datetime | None = None,
    channel: str = Channel.WRITTEN,
    filed_by: User | None = None,
    suggestions_shown: list[str] | tuple = (),
) -> Ticket:
    """File a ticket for the actor's institution, in writing unless the desk says otherwise.

    The desk files for a customer who called, was helped in a remote session or was visited with
    `filed_by` (a desk person), `channel` phone, remote or on-site and `at` the moment of the
    contact: the clock starts then, and that contact is the ticket's first response (the customer
    was talking to an engineer). The unit drawn follows the counting rule
    (packages.services.ticket_unit_draw): the filing channel's unit, none for on-site.

    In one transaction: the ticket with the contract's priority, first-response time and service
    window copied onto it and its deadline computed; its unit of the quota; its
    attachments; its history and SLA log; a development item for a bug report or feature request.
    Raises NoActiveSubscription, QuotaExhausted or ValidationError and writes nothing then.
    The routing request is written to the outbox in the same transaction; routing and the SLA
    timers are sent to the workers after commit and never wait on (or fail with) the broker.
    `suggestions_shown` ("article:12", "ticket:7", …) are the answers the person was offered while
    writing and filed anyway; they are kept in the filing's history event (the suggestions' figures).
    Not idempotent: each call files a ticket (the API guards retries with Idempotency-Key)."""
    if not is_customer_side(actor):
        raise PermissionDenied(_("Only people of a customer institution can file tickets."))
    if (filed_by is not None or channel != Channel.WRITTEN) and not (filed_by and is_desk(filed_by)):
        raise PermissionDenied(_("Only the support desk files tickets for a customer."))
    for upload in attachments:
        attachment_validate(upload)
    institution = actor.institution
    now = at or timezone.now()
    subscription = subscription_in_force(institution=institution, on=timezone.localdate(now))
    due_at, warning_at = sla_deadlines(subscription=subscription, filed_at=now)
    with transaction.atomic():
        ticket = Ticket(
            institution=institution,
            subscription=subscription,
            requester=actor,
            region_id=actor.region_id,
            unit_id=actor.unit_id,
            kind=kind,
            product=product,
            subject=subject,
            description=description,
            channel=channel,
            **Ticket.terms_from(subscription),
            first_response_due_at=due_at,
            warning_due_at=warning_at,
        )
        # The institution, contract, requester, region and unit were just read or come from the
        # filer's own record: checking that they exist would cost a query each.
        ticket.full_clean(exclude=["institution", "subscription", "requester", "region", "unit"])
        if kind in DEVELOPMENT_KINDS:
            ticket.development_item = development_item_open_for_filing(ticket=ticket, at=at)
        ticket.save()
        if at is not None:
            Ticket.objects.filter(pk=ticket.pk).update(created_at=at)
            ticket.created_at = at
        for upload in attachments:
            attachment_add(actor=actor, ticket=ticket, upload=upload)
        shown = {"suggestions_shown": list(suggestions_shown)} if suggestions_shown else {}
        event_record(
            ticket=ticket,
            kind=TicketEvent.Kind.CREATED,
            actor=filed_by or actor,
            due_at=due_at.isoformat(),
            **shown,
        )
        sla_clock_start(ticket=ticket)
        if channel in DESK_CONTACT_CHANNELS:
            sla_first_response(ticket=ticket, actor=filed_by, at=ticket.created_at)
        if kind in DEVELOPMENT_KINDS:
            event_record(ticket=ticket, kind=TicketEvent.Kind.ESCALATED, actor=actor, automatic=True)
        outbox_route_add(ticket=ticket)
        # The unit last: its conditional UPDATE locks the allotment's row until commit, and every
        # filing of the institution waits on that lock, so it is held for the fewest statements.
        # A refusal rolls back everything above.
        ticket_unit_draw(
            actor=filed_by or actor,
            institution=institution,
            ticket_id=ticket.pk,
            channel=channel,
            at=now,
            subscription=subscription,
            is_new_ticket=True,
        )
    logger.info(
        "ticket.filed",
        extra={"ticket_id": ticket.pk, "institution_id": institution.pk, "kind": kind, "channel": channel},
    )
    return ticket
