import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.models import Institution, TenantQuerySet

from .calendar import ServiceCalendar


class Channel(models.TextChoices):
    WRITTEN = "written", _("Written support")
    PHONE = "phone", _("Phone support")
    REMOTE = "remote", _("Live remote support")
    ONSITE_DAYS = "onsite_days", _("On-site support and training days")
    WORKSHOPS = "workshops", _("Institution-specific workshops")


class Product(models.Model):
    """A product of the vendor: what tickets, trainings, workshops and usage figures are about."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ContractTerms(models.Model):
    """The service terms a package sells, a subscription fixes at sale and a ticket keeps from
    filing: declared once here, copied from one holder to the next with `terms_from`."""

    TERM_FIELDS = (
        "priority",
        "first_response_minutes",
        "service_window_start",
        "service_window_end",
        "service_timezone",
    )

    priority = models.PositiveSmallIntegerField(_("support priority"), help_text=_("1 is served first."))
    first_response_minutes = models.PositiveIntegerField(_("maximum first-response time (minutes)"))
    service_window_start = models.TimeField(_("service window opens"), default=datetime.time(8, 0))
    service_window_end = models.TimeField(
        _("service window closes"), default=datetime.time(0, 0), help_text=_("00:00 means midnight (24:00).")
    )
    service_timezone = models.CharField(_("service time zone"), max_length=64, default="Europe/Istanbul")

    class Meta:
        abstract = True

    @classmethod
    def terms_from(cls, source: "ContractTerms") -> dict:
        """The terms of `source` as keyword arguments for a new holder of them."""
        return {name: getattr(source, name) for name in cls.TERM_FIELDS}

    @property
    def calendar(self) -> ServiceCalendar:
        return ServiceCalendar(self.service_window_start, self.service_window_end, self.service_timezone)


class Package(ContractTerms):
    """A yearly support package of the catalogue. Vendor staff edit it; a running subscription
    keeps the figures it was sold with, so edits here apply to new subscriptions only."""

    class Family(models.TextChoices):
        SILVER = "silver", _("Silver")
        GOLD = "gold", _("Gold")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    family = models.CharField(_("family"), max_length=10, choices=Family.choices)
    users_min = models.PositiveIntegerField(_("minimum users"))
    users_max = models.PositiveIntegerField(
        _("maximum users"), null=True, blank=True, help_text=_("Empty means no upper bound.")
    )
    has_onboarding = models.BooleanField(_("welcome / onboarding service"), default=True)
    has_online_service = models.BooleanField(_("online service 365 days"), default=True)
    has_mobile_apps = models.BooleanField(_("web, iOS and Android apps"), default=True)
    has_development_participation = models.BooleanField(_("direct part in product development"), default=True)
    has_satisfaction_tracking = models.BooleanField(
        _("measurement, reporting and satisfaction tracking"), default=True
    )
    has_performance_tracking = models.BooleanField(
        _("institution personnel performance tracking"), default=False
    )
    has_region_management = models.BooleanField(_("region-based organisation management"), default=False)
    has_unlimited_online_training = models.BooleanField(
        _("unlimited online training programmes"), default=True
    )
    has_help_documents = models.BooleanField(_("help documents and videos"), default=True)
    has_project_documents = models.BooleanField(
        _("project application documents and data sets"), default=True
    )
    is_active = models.BooleanField(_("on sale"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    FEATURE_FIELDS = (
        "has_onboarding",
        "has_online_service",
        "has_mobile_apps",
        "has_development_participation",
        "has_satisfaction_tracking",
        "has_performance_tracking",
        "has_region_management",
        "has_unlimited_online_training",
        "has_help_documents",
        "has_project_documents",
    )

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["-priority"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.users_max is not None and self.users_max < self.users_min:
            raise ValidationError(
                {"users_max": _("The maximum number of users cannot be below the minimum.")}
            )
        try:
            ServiceCalendar(self.service_window_start, self.service_window_end, self.service_timezone)
        except ValueError:
            raise ValidationError({"service_timezone": _("Unknown time zone.")}) from None

    @property
    def features(self) -> dict[str, bool]:
        return {name.removeprefix("has_"): getattr(self, name) for name in self.FEATURE_FIELDS}


class PackageChannel(models.Model):
    """What a package gives on one channel: a fixed figure (min == max), a range the contract
    fixes, unlimited, or not included (for on-site days of Silver: priced per day)."""

    class Pricing(models.TextChoices):
        INCLUDED = "included", _("Included")
        PER_DAY = "per_day", _("Priced separately per day")
        NOT_OFFERED = "not_offered", _("Not offered")

    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="channels", verbose_name=_("package")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    pricing = models.CharField(_("pricing"), max_length=20, choices=Pricing.choices, default=Pricing.INCLUDED)
    minimum = models.PositiveIntegerField(_("minimum"), null=True, blank=True)
    maximum = models.PositiveIntegerField(_("maximum"), null=True, blank=True)
    is_unlimited = models.BooleanField(_("unlimited"), default=False)

    class Meta:
        verbose_name = _("package channel")
        verbose_name_plural = _("package channels")
        constraints = [
            models.UniqueConstraint(fields=["package", "channel"], name="package_channel_unique"),
        ]

    def __str__(self):
        return f"{self.package} · {self.get_channel_display()}"

    @property
    def is_included(self) -> bool:
        return self.pricing == self.Pricing.INCLUDED

    def clean(self):
        if self.is_included and not self.is_unlimited:
            if self.minimum is None or self.maximum is None:
                raise ValidationError(_("An included, limited channel needs a minimum and a maximum."))
            if self.maximum < self.minimum:
                raise ValidationError({"maximum": _("The maximum cannot be below the minimum.")})
        if not self.is_included and self.is_unlimited:
            raise ValidationError({"is_unlimited": _("A channel that is not included cannot be unlimited.")})


class SubscriptionQuerySet(TenantQuerySet):
    def in_force(self, *, on: datetime.date):
        """The contracts in force on the day, the one that decides first (the latest started)
        first. "In force" is decided here only: the single-contract selector, the SQL subquery of
        the visibility queries and the package feature checks all start from it, so a grace
        period after the end date is a change to this method alone."""
        return self.filter(starts_on__lte=on, ends_on__gte=on).order_by("-starts_on")


class Subscription(ContractTerms):
    """One institution's contract for one package and one year, with every figure resolved and
    copied at sale, so later catalogue edits leave it untouched."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("institution")
    )
    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("package")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), help_text=_("The last day of the contract."))
    user_cap = models.PositiveIntegerField(
        _("user cap"), null=True, blank=True, help_text=_("Empty means no upper bound.")
    )
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sold by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="subscription_period"
            ),
        ]

    def __str__(self):
        return f"{self.institution} · {self.package} ({self.starts_on:%Y-%m-%d} – {self.ends_on:%Y-%m-%d})"

    @property
    def renews_on(self) -> datetime.date:
        return self.ends_on + datetime.timedelta(days=1)


class Allotment(models.Model):
    """A subscription's yearly allotment on one channel and the running count of its use.
    `used` is kept by the same conditional UPDATE that admits a consumption, so it can never pass
    `allotment`; the ledger (QuotaEntry) holds the detail."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="allotments", verbose_name=_("subscription")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    allotment = models.PositiveIntegerField(_("allotment"), null=True, blank=True)
    is_unlimited = models.BooleanField(_("unlimited"), default=False)
    is_included = models.BooleanField(_("included"), default=True)
    used = models.PositiveIntegerField(_("used"), default=0)

    class Meta:
        verbose_name = _("allotment")
        verbose_name_plural = _("allotments")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "channel"], name="allotment_unique_channel"),
            models.CheckConstraint(
                condition=models.Q(is_unlimited=True) | models.Q(used__lte=models.F("allotment")),
                name="allotment_never_exceeded",
            ),
        ]

    def __str__(self):
        return f"{self.subscription} · {self.get_channel_display()}"

    @property
    def remaining(self) -> int | None:
        if self.is_unlimited:
            return None
        return max((self.allotment or 0) - self.used, 0)


class QuotaEntry(models.Model):
    """One use of a channel, or the giving back of one (`reverses` set): append-only. What a
    channel has used is the sum of its uses minus the sum of its reversals."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="quota_entries", verbose_name=_("subscription")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    units = models.PositiveIntegerField(_("units"), default=1)
    consumed_at = models.DateTimeField(_("consumed at"))
    consumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consumed by"),
    )
    reference_type = models.CharField(_("reference type"), max_length=40, help_text=_("ticket, booking …"))
    reference_id = models.CharField(_("reference"), max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # A unit given back is a second entry pointing at the one it reverses: the ledger is never
    # edited, and one-to-one means an entry can be reversed only once.
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("reverses"),
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("quota entry")
        verbose_name_plural = _("quota entries")
        ordering = ["-consumed_at"]
        indexes = [models.Index(fields=["subscription", "channel"], name="quota_entry_sub_channel")]

    def __str__(self):
        return f"{self.get_channel_display()} × {self.units}"


class QuotaNotice(models.Model):
    """A notice sent to the institution admin when a channel runs low or out; unique, so each is
    sent once per subscription year whatever the workers do twice."""

    class Level(models.TextChoices):
        LOW = "low", _("Running low")
        EXHAUSTED = "exhausted", _("Exhausted")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="quota_notices")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("quota notice")
        verbose_name_plural = _("quota notices")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "channel", "level"], name="quota_notice_once"),
        ]
