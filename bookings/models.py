"""What the contract promises and the vendor books: workshops, on-site days and onboarding items.
Each belongs to one institution; units drawn from a quota are entries of the packages ledger,
referenced by `reference_type` and the booking's id. Workshops and on-site requests are one
abstract booking (`Booking`) whose statuses move only as its kind's table in `bookings.machine`
says."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Institution, TenantQuerySet
from packages.models import Product

WORKSHOP_LENGTH = datetime.timedelta(hours=2)
ONSITE_DAY_HOURS = 6


class Booking(models.Model):
    """What a workshop and an on-site request share: the institution, who asked, the ledger
    channel its units are drawn from (`CHANNEL`, referenced as `REFERENCE` and the id), how many
    units a confirmation draws, how many a cancellation gave back, and the status its kind's
    transition table moves."""

    REFERENCE = ""
    CHANNEL = ""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="%(class)s_bookings",
        verbose_name=_("institution"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    status = models.CharField(_("status"), max_length=20)
    units = models.PositiveIntegerField(
        _("units drawn from the allotment"),
        default=0,
        help_text=_(
            "How many units confirming or scheduling the booking draws from the contract's allotment."
        ),
    )
    units_returned = models.PositiveIntegerField(_("units given back"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_unit_returned(self) -> bool:
        return self.units_returned > 0

    def first_moment(self) -> datetime.datetime | None:
        """When the booked service begins: what the free-cancellation period counts back from."""
        raise NotImplementedError


class Workshop(Booking):
    """An institution-specific online workshop of two hours (Premium, Premium+)."""

    REFERENCE = "workshop"
    CHANNEL = "workshops"

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SCHEDULED = "scheduled", _("Scheduled")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Held")

    topic = models.CharField(_("topic"), max_length=200)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("product")
    )
    preferred_dates = models.JSONField(_("preferred dates"), default=list)
    participants = models.PositiveIntegerField(_("expected participants"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workshops_trained",
        verbose_name=_("trainer"),
    )
    meeting_url = models.URLField(_("meeting link"), blank=True)
    decline_reason = models.CharField(_("reason"), max_length=500, blank=True)
    units = models.PositiveIntegerField(_("units drawn from the allotment"), default=1)
    attended = models.PositiveIntegerField(_("participants who attended"), null=True, blank=True)
    # Who joined, named by vendor staff once it is held (people of the institution); when named,
    # `attended` is their number.
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="workshops_joined", verbose_name=_("participants")
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["trainer", "starts_at"], name="workshop_trainer_start")]

    def __str__(self):
        return self.topic

    def first_moment(self) -> datetime.datetime | None:
        return self.starts_at


class OnsiteRequest(Booking):
    """A request for on-site support and training days (6 hours each). Gold contracts draw the
    days from their allotment on confirmation (`units` of them); Silver ones, and Gold days asked
    beyond the allotment, get a quote at the day rate for the `priced_days`."""

    REFERENCE = "onsite"
    CHANNEL = "onsite_days"

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        QUOTED = "quoted", _("Quote sent")
        ACCEPTED = "accepted", _("Quote accepted")
        QUOTE_DECLINED = "quote_declined", _("Quote declined")
        CONFIRMED = "confirmed", _("Confirmed")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    dates = models.JSONField(_("dates"), default=list)
    # The first and last day, as columns so the calendar can find a week's visits.
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    address = models.CharField(_("address"), max_length=500)
    purpose = models.TextField(_("purpose"))
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    is_included = models.BooleanField(
        _("drawn from the allotment"),
        default=False,
        help_text=_("Fixed when requested, from the contract in force."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onsite_visits",
        verbose_name=_("engineer"),
    )
    day_rate = models.DecimalField(_("day rate"), max_digits=12, decimal_places=2, null=True, blank=True)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4, null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    quoted_at = models.DateTimeField(_("quoted at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    report = models.TextField(_("report"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("on-site request")
        verbose_name_plural = _("on-site requests")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.institution} · {len(self.dates)}"

    def first_moment(self) -> datetime.datetime:
        """The start of the first day, Istanbul time."""
        return timezone.make_aware(datetime.datetime.combine(self.starts_on, datetime.time.min))

    @property
    def days(self) -> int:
        return len(self.dates)

    @property
    def priced_days(self) -> int:
        """The days quoted at the day rate: all of them on a contract that prices days, those
        beyond the allotment on one that includes them."""
        return self.days - self.units

    @property
    def day_list(self) -> list[datetime.date]:
        return [datetime.date.fromisoformat(day) for day in self.dates]

    @property
    def net_total(self) -> Decimal | None:
        if self.day_rate is None:
            return None
        return (self.day_rate * self.priced_days).quantize(Decimal("0.01"))

    @property
    def vat_total(self) -> Decimal | None:
        if self.net_total is None or self.vat_rate is None:
            return None
        return (self.net_total * self.vat_rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def gross_total(self) -> Decimal | None:
        if self.vat_total is None:
            return None
        return self.net_total + self.vat_total

    @property
    def vat_percent(self) -> Decimal | None:
        return None if self.vat_rate is None else (self.vat_rate * 100).normalize()


class OnboardingItem(models.Model):
    """The welcome service of one product purchase or update: introduction and installation."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        UPDATE = "update", _("Update")

    class Status(models.TextChoices):
        PENDING = "pending", _("To be scheduled")
        SCHEDULED = "scheduled", _("Scheduled")
        COMPLETED = "completed", _("Completed")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="onboarding_items", verbose_name=_("institution")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    version = models.CharField(_("version"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PURCHASE)
    purchased_on = models.DateField(_("purchase or update date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="onboarding_items",
        verbose_name=_("engineer"),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("onboarding item")
        verbose_name_plural = _("onboarding items")
        ordering = ["-purchased_on", "-id"]

    def __str__(self):
        return f"{self.product} {self.version}"


class BookingEvent(models.Model):
    """One change of state of a booking, for its history and the audit trail."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    booking_type = models.CharField(_("booking type"), max_length=20)
    booking_id = models.PositiveBigIntegerField(_("booking"))
    status = models.CharField(_("status"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking event")
        verbose_name_plural = _("booking events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["booking_type", "booking_id"], name="booking_event_booking")]


class ContactRequest(models.Model):
    """A customer's request, on a ticket, for a phone call or a remote session at preferred times.
    It is done by the desk's existing call or remote-session log on the ticket (which counts on
    that channel's quota as always): a request is open while no such log follows it."""

    class Kind(models.TextChoices):
        CALL = "call", _("Phone call")
        REMOTE = "remote", _("Remote session")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="contact_requests", verbose_name=_("ticket")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    preferred_times = models.CharField(
        _("preferred times"), max_length=300, help_text=_("One line per time the person can be reached.")
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("call-back request")
        verbose_name_plural = _("call-back requests")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "kind"], name="contact_request_ticket_kind")]

    def __str__(self):
        return f"{self.ticket_id} · {self.get_kind_display()}"
