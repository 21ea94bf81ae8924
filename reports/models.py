from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.models import Institution, TenantQuerySet
from packages.models import Product
from tickets.models import Ticket, TicketEvent


class Survey(models.Model):
    """The satisfaction question of one resolution of a ticket, asked of its requester. A row is
    made from the ticket's history (the status change to resolved), never by the ticket code, so
    tickets know nothing of surveys; the unique resolution event makes every path that creates it
    (the sweep, the ticket page, the API, the e-mail link) agree on one row. What the answer is
    about — the engineer, the first-response outcome, the package, the product, the resolution
    time — is copied when the row is made, so a later change of the ticket does not rewrite it."""

    class Via(models.TextChoices):
        WEB = "web", _("Ticket page")
        LINK = "link", _("E-mail link")
        API = "api", _("Mobile app")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+", verbose_name=_("ticket"))
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    resolution_event = models.OneToOneField(TicketEvent, on_delete=models.CASCADE, related_name="+")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requester")
    )
    resolved_at = models.DateTimeField(_("resolved at"))
    expires_at = models.DateTimeField(_("expires at"))
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolving engineer"),
    )
    first_response_met = models.BooleanField(_("first response within the deadline"), null=True)
    package = models.CharField(_("package"), max_length=40)
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("product")
    )
    resolution_minutes = models.PositiveIntegerField(_("resolution time (minutes)"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_via = models.CharField(_("answered through"), max_length=10, choices=Via.choices, blank=True)
    asked_at = models.DateTimeField(_("asked at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "resolution_event"], name="survey_once_per_resolution"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5), name="survey_score_range"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True, answered_at__isnull=True)
                | Q(score__isnull=False, answered_at__isnull=False),
                name="survey_answer_whole",
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "answered_at"], name="survey_institution_answered"),
            models.Index(fields=["ticket", "-resolved_at"], name="survey_ticket_latest"),
            # The reminder sweep: unanswered, not yet reminded.
            models.Index(
                fields=["resolved_at"],
                name="survey_reminder_due",
                condition=Q(answered_at__isnull=True, reminded_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"#{self.ticket_id} · {self.resolved_at:%Y-%m-%d}"


class SurveyScanCursor(models.Model):
    """How far the survey sweep has read the ticket history (one row): each pass reads events by
    primary key from here, an index range scan however long the history grows."""

    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class ReportDelivery(models.Model):
    """The monthly report of one institution for one month. The unique (institution, period) makes
    the month's delivery happen once whatever beat or the command repeat; whoever locks the row
    first renders the report and writes one outbox row per admin (core.outbox), and marks this row
    done (`sent_at`, `recipients`) in the same transaction. The outbox sends and retries each
    admin's e-mail on its own."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    period_on = models.DateField(_("month"), help_text=_("The first day of the month reported."))
    recipients = models.JSONField(_("recipients"), default=list)
    language = models.CharField(_("language"), max_length=10, default="tr")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    available_at = models.DateTimeField(_("available at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        constraints = [
            models.UniqueConstraint(fields=["institution", "period_on"], name="report_delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["available_at"], name="report_delivery_pending", condition=Q(sent_at__isnull=True)
            ),
        ]


class ReportDay(models.Model):
    """The day roll-up the institution report reads instead of the tickets: for one institution,
    one day (in the service time zone), one kind, channel and product, what was filed that day
    (with its first-response outcome and service minutes) and what was resolved that day (with
    its resolution minutes). The minutes are kept as arrays of the exact values, so the report's
    medians and 90th percentiles stay exact. Rebuilt, never edited: see reports.summary."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=20)
    channel = models.CharField(_("channel"), max_length=20)
    product_id = models.BigIntegerField(_("product"), null=True, blank=True)
    filed = models.PositiveIntegerField(_("filed"), default=0)
    met = models.PositiveIntegerField(_("met"), default=0)
    breached = models.PositiveIntegerField(_("breached"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    resolution_minutes_sum = models.FloatField(_("resolution minutes, sum"), default=0)
    first_response_minutes = ArrayField(models.FloatField(), default=list)
    # Counts of first_response_minutes per bucket of reports.figures.HISTOGRAM_EDGES.
    first_response_histogram = ArrayField(models.PositiveIntegerField(), default=list)
    resolution_minutes = ArrayField(models.FloatField(), default=list)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("report day")
        verbose_name_plural = _("report days")
        indexes = [models.Index(fields=["institution", "day"], name="report_day_institution")]


class ReportDayCoverage(models.Model):
    """One row: every day up to last_day (inclusive) is in ReportDay, for every institution,
    except the days a ReportDayChange names."""

    last_day = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class ReportDayChange(models.Model):
    """A ticket change that may alter a summarized day, written by a database trigger on the
    tickets table (the filing and resolution instants before and after the change). The refresh
    rebuilds those days and deletes the rows; until then the report computes those days from the
    tickets themselves."""

    institution_id = models.BigIntegerField()
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["institution_id", "at"], name="report_day_change_at")]


class ReportQuotaMonth(models.Model):
    """The quota ledger (packages.QuotaEntry) summed per contract, channel and month (in the
    service time zone): what the report's burn-down reads instead of a year of entries. Kept by
    a database trigger on the ledger in the same transaction as each entry (migration 0003), so
    always equal to the ledger. units counts a use as given and a giving back (`reverses` set)
    negatively; entries is how many ledger rows the month holds (the row goes with the last)."""

    subscription_id = models.BigIntegerField()
    institution_id = models.BigIntegerField()
    channel = models.CharField(max_length=20)
    month = models.DateField()
    units = models.BigIntegerField(default=0)
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription_id", "institution_id", "channel", "month"],
                name="report_quota_month_once",
            )
        ]
