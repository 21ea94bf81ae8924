from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import heartbeats
from organizations.models import Institution, Region, TenantQuerySet, Unit
from packages.models import Channel, ContractTerms, Product, Subscription

from . import figures

OPEN_STATUSES = ("new", "open", "waiting")


class TicketQuerySet(TenantQuerySet):
    """The tickets' SLA figures as filters, from their one definition in tickets.figures."""

    def first_response_met(self):
        return self.filter(figures.FIRST_RESPONSE_MET)

    def first_response_breached(self):
        return self.filter(figures.FIRST_RESPONSE_BREACHED)

    def first_response_pending(self):
        return self.filter(figures.FIRST_RESPONSE_PENDING)

    def in_sla_state(self, state: str):
        """running, answered or breached, as Ticket.sla_state reads them."""
        return self.filter(figures.STATE_CONDITIONS[state])

    def first_response_counts(self) -> dict:
        """{"met", "breached", "compliance"} over these tickets, in one query."""
        counts = self.order_by().aggregate(
            met=models.Count("pk", filter=figures.FIRST_RESPONSE_MET),
            breached=models.Count("pk", filter=figures.FIRST_RESPONSE_BREACHED),
        )
        return {**counts, "compliance": figures.compliance(**counts)}


class Ticket(ContractTerms):
    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        PROBLEM = "problem", _("Problem")
        BUG = "bug", _("Bug report")
        FEATURE = "feature", _("Feature request")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting on customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("institution")
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("subscription")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        verbose_name=_("requester"),
    )
    # The requester's place in the tree when the ticket was filed: monitoring follows the ticket's
    # unit and region, not wherever the requester moves later.
    region = models.ForeignKey(
        Region,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("region"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.QUESTION)
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("product"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    # The quota channel the ticket came through and is counted on.
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WRITTEN)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    # The contract terms in force at filing are kept with the ticket (ContractTerms).
    first_response_due_at = models.DateTimeField(_("first response due at"))
    warning_due_at = models.DateTimeField(_("warning due at"))
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    routed_at = models.DateTimeField(_("routed at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The development item the ticket reports (a bug report or feature request), shared with the
    # other tickets, of any institution, that report the same.
    development_item = models.ForeignKey(
        "DevelopmentItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("development item"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["priority", "first_response_due_at", "created_at"]
        indexes = [
            # The engineers' queue: open tickets by priority, then deadline, then age.
            models.Index(
                fields=["priority", "first_response_due_at", "created_at", "id"],
                name="ticket_queue",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # The SLA sweep: open, unanswered tickets whose deadline or warning time has come. A
            # ticket closed without an answer leaves the index, so the sweep never wades through
            # the history of tickets it has nothing more to do for.
            models.Index(
                fields=["first_response_due_at"],
                name="ticket_breach_due",
                include=["warning_due_at"],
                condition=Q(
                    first_responded_at__isnull=True, breached_at__isnull=True, status__in=OPEN_STATUSES
                ),
            ),
            models.Index(
                fields=["warning_due_at"],
                name="ticket_warning_due",
                include=["first_response_due_at"],
                condition=Q(
                    first_responded_at__isnull=True,
                    warned_at__isnull=True,
                    breached_at__isnull=True,
                    status__in=OPEN_STATUSES,
                ),
            ),
            # The desk lead's board: open, unanswered tickets the sweep has already warned about or
            # recorded as breached; with ticket_warning_due and ticket_breach_due it covers every
            # ticket at risk, so the board's count never reads the open tickets that are still on
            # time. The three carry the columns the count tests (INCLUDE), so it reads them alone
            # (an index-only scan) where the visibility map allows.
            models.Index(
                fields=["first_response_due_at"],
                name="ticket_flagged",
                include=["breached_at", "warning_due_at"],
                condition=Q(first_responded_at__isnull=True, status__in=OPEN_STATUSES)
                & (Q(warned_at__isnull=False) | Q(breached_at__isnull=False)),
            ),
            # The board's pages: every open, unanswered ticket in the board's order. The tickets at
            # risk come first (the deadline passed longest ago), so a page is an ordered scan that
            # stops after its rows instead of a sort of every ticket at risk.
            models.Index(
                fields=["first_response_due_at", "priority", "id"],
                name="ticket_board",
                condition=Q(first_responded_at__isnull=True, status__in=OPEN_STATUSES),
            ),
            # The routing sweep: open tickets no router has handled yet.
            models.Index(
                fields=["priority", "first_response_due_at"],
                name="ticket_unrouted",
                condition=Q(routed_at__isnull=True, status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["institution", "-created_at"], name="ticket_institution_recent"),
            models.Index(fields=["institution", "unit"], name="ticket_institution_unit"),
            models.Index(fields=["institution", "region"], name="ticket_institution_region"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_recent"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def sla_state(self) -> str:
        """running until the first response; then answered, or breached (tickets.figures)."""
        return figures.sla_state(self)


class TicketMessage(models.Model):
    """A public reply, an internal note, or a logged phone call or remote session."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        CALL = "call", _("Phone call")
        REMOTE = "remote", _("Remote session")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket")
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REPLY)
    body = models.TextField(_("message"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]


def attachment_path(instance, filename):
    return f"attachments/{instance.institution_id}/{instance.ticket_id}/{filename}"


class Attachment(models.Model):
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("ticket")
    )
    message = models.ForeignKey(
        TicketMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]

    def __str__(self):
        return self.original_name


class TicketEvent(models.Model):
    """The ticket's history: append-only, one row for every change."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Filed")
        STATUS_CHANGED = "status_changed", _("Status changed")
        REPLIED = "replied", _("Replied")
        NOTE_ADDED = "note_added", _("Internal note added")
        CALL_LOGGED = "call_logged", _("Phone call logged")
        REMOTE_LOGGED = "remote_logged", _("Remote session logged")
        ASSIGNED = "assigned", _("Assigned")
        ESCALATED = "escalated", _("Escalated to development")
        DEVELOPMENT_UPDATED = "development_updated", _("Development item updated")
        REOPENED = "reopened", _("Reopened")
        FIRST_RESPONSE = "first_response", _("First response made")
        SLA_WARNING = "sla_warning", _("SLA warning sent")
        SLA_BREACHED = "sla_breached", _("First-response time breached")
        DEADLINE_CHANGED = "deadline_changed", _("Deadline corrected")
        SHARED = "shared", _("Shared")
        UNSHARED = "unshared", _("Sharing removed")
        ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
        KIND_CHANGED = "kind_changed", _("Kind changed")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("ticket")
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]


# The moments of a ticket's clock that happen at most once; the constraint below holds it.
SLA_ONCE_KINDS = ("clock_started", "warning_sent", "breached", "first_response")


class SLAEvent(models.Model):
    """The append-only SLA log: each moment of a ticket's clock with the contract terms in force,
    enough to rebuild compliance reports and audits. Warning, breach and first response happen at
    most once per ticket, which the unique constraint guarantees whatever the workers repeat."""

    class Kind(models.TextChoices):
        CLOCK_STARTED = "clock_started", _("Clock started")
        WARNING_SENT = "warning_sent", _("Warning sent")
        BREACHED = "breached", _("Breached")
        FIRST_RESPONSE = "first_response", _("First response made")
        DEADLINE_CHANGED = "deadline_changed", _("Deadline corrected")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_events")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    deadline_at = models.DateTimeField(_("deadline"))
    terms = models.JSONField(_("contract terms"), default=dict)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("SLA event")
        verbose_name_plural = _("SLA events")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind"],
                condition=Q(kind__in=SLA_ONCE_KINDS),
                name="sla_event_once_per_ticket",
            )
        ]


class DevelopmentItemQuerySet(models.QuerySet):
    def for_institution(self, institution):
        """The items the institution reported: linked to at least one of its tickets."""
        return self.filter(pk__in=Ticket.objects.for_institution(institution).values("development_item_id"))


class DevelopmentItem(models.Model):
    """The development unit's item: one defect or feature, reported by one or many tickets of one or
    many institutions. Its public part (state, plan, release, public note) shows on every linked
    ticket; the linked tickets themselves stay with their own institutions."""

    class Kind(models.TextChoices):
        DEFECT = "defect", _("Defect")
        FEATURE = "feature", _("Feature")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        TRIAGED = "triaged", _("Triaged")
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        RELEASED = "released", _("Released")
        DECLINED = "declined", _("Declined")

    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="development_items",
        verbose_name=_("product"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEFECT)
    title = models.CharField(_("title"), max_length=200)
    public_note = models.TextField(_("description for the customers"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.RECEIVED)
    declined_reason = models.TextField(_("reason for declining"), blank=True)
    planned_version = models.CharField(_("planned version"), max_length=40, blank=True)
    planned_on = models.DateField(_("planned date"), null=True, blank=True)
    released_version = models.CharField(_("released version"), max_length=40, blank=True)
    # When the item was first planned and when it was released: the report's medians start from
    # created_at (the first report) and end here.
    planned_at = models.DateTimeField(_("planned at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    # How many institutions' tickets report the item, kept by the services that link and merge:
    # every ticket shows it, and a page of tickets reads it without a count per row.
    institutions_reporting = models.PositiveIntegerField(_("institutions reporting"), default=0)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_items",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DevelopmentItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("development item")
        verbose_name_plural = _("development items")
        indexes = [models.Index(fields=["product", "state"], name="development_item_product_state")]

    def __str__(self):
        return f"#{self.pk} {self.title}"


class TicketShare(models.Model):
    """A ticket shared with a named person, a unit or a region of the same institution."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="shares")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ticket_shares",
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="ticket_shares"
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="ticket_shares"
    )
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("shared at"), auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket share")
        verbose_name_plural = _("ticket shares")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, unit__isnull=True, region__isnull=True)
                    | Q(person__isnull=True, unit__isnull=False, region__isnull=True)
                    | Q(person__isnull=True, unit__isnull=True, region__isnull=False)
                ),
                name="ticket_share_one_target",
            ),
            models.UniqueConstraint(fields=["ticket", "person"], name="ticket_share_person_once"),
            models.UniqueConstraint(fields=["ticket", "unit"], name="ticket_share_unit_once"),
            models.UniqueConstraint(fields=["ticket", "region"], name="ticket_share_region_once"),
        ]
        indexes = [
            models.Index(fields=["person", "ticket"], name="ticket_share_person"),
            models.Index(fields=["unit", "ticket"], name="ticket_share_unit"),
            models.Index(fields=["region", "ticket"], name="ticket_share_region"),
        ]


class OutboxMessage(models.Model):
    """The routing of a newly filed ticket, which must survive a broker outage: written in the
    transaction that files the ticket, then done by the task sent after commit or, if that message
    never arrives, by the periodic drain. Whoever does it first marks it processed; a row is
    locked while worked. E-mails are rows of core's outbox (core.OutboxMessage)."""

    class Kind(models.TextChoices):
        ROUTE = "route", _("Route a new ticket")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # Routing of a priority-1 ticket is drained before that of a priority-4 one.
    priority = models.PositiveSmallIntegerField(_("priority"), default=9)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    available_at = models.DateTimeField(_("available at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["priority", "available_at", "id"],
                name="outbox_pending",
                condition=Q(processed_at__isnull=True),
            ),
            # The purge deletes the oldest processed rows first.
            models.Index(
                fields=["processed_at"],
                name="outbox_processed",
                condition=Q(processed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class EngineHeartbeat(models.Model):
    """When a periodic job of the SLA engine last completed (one row per job, updated in place).
    In the database rather than Redis so that /health/ can tell a dead beat or worker apart from
    a Redis outage, and still knows after Redis lost everything."""

    SLA_SWEEP = heartbeats.SLA_SWEEP

    name = models.CharField(max_length=50, primary_key=True)
    completed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} {self.completed_at:%Y-%m-%d %H:%M:%S}"


class ForecastAlert(models.Model):
    """What the breach forecast last told the desk leads: one row (`key` "desk"), locked while an
    alert is decided, so an alert goes once per change of the count at risk (tickets.forecast)."""

    DESK = "desk"

    key = models.CharField(_("key"), max_length=20, unique=True, default=DESK)
    at_risk = models.PositiveIntegerField(_("tickets at risk last told"), default=0)
    ticket_ids = models.JSONField(_("tickets named"), default=list, blank=True)
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    sent_count = models.PositiveIntegerField(_("alerts sent"), default=0)

    class Meta:
        verbose_name = _("breach forecast alert")
        verbose_name_plural = _("breach forecast alerts")

    def __str__(self):
        return f"{self.key}: {self.at_risk}"


class Macro(models.Model):
    """A named answer the desk keeps: the desk's own (no owner, kept by the desk lead) or one
    engineer's (owner set, seen by no one else). Its body may name the placeholders of
    tickets.macros; inserting it can also set the ticket's status and kind."""

    name = models.CharField(_("name"), max_length=100)
    body = models.TextField(_("text"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        verbose_name=_("owner"),
    )
    status = models.CharField(_("sets status"), max_length=20, choices=Ticket.Status.choices, blank=True)
    kind = models.CharField(_("sets kind"), max_length=20, choices=Ticket.Kind.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="macro_name_once_per_owner"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(owner__isnull=True), name="macro_name_once_for_the_desk"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_personal(self) -> bool:
        return self.owner_id is not None
