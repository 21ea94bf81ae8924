"""Product usage: installation keys, the raw events the vendor's products send, and the daily
figures the reports read. Raw events are written in bulk and never read by a report."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from organizations.models import Institution, TenantQuerySet


class UsageKeyManager(BaseAPIKeyManager.from_queryset(TenantQuerySet)):
    def assign_key(self, obj):
        key = super().assign_key(obj)
        # The library's primary key repeats the hash; ours is a plain number, safe to show in URLs.
        obj.id = None
        return key


class UsageKey(AbstractAPIKey):
    """An installation key of one institution: the product installation sends
    `Authorization: Api-Key <prefix>.<secret>`. Only the SHA-512 of the key is stored (the library's
    `hashed_key`); the key itself is shown once, when it is issued. The prefix is not secret: it tells keys
    apart on the page."""

    id = models.BigAutoField(primary_key=True)
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="usage_keys", verbose_name=_("institution")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = UsageKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("usage key")
        verbose_name_plural = _("usage keys")
        ordering = ["-created"]


class UsageEventKind(models.TextChoices):
    SESSION_START = "session_start", _("Session started")
    SESSION_END = "session_end", _("Session ended")
    FEATURE_USED = "feature_used", _("Feature used")


class UsageEvent(models.Model):
    """One event as a product sent it. The product's UUID is the primary key, so a repeated event
    is refused by the database itself (INSERT … ON CONFLICT DO NOTHING). `person` is None when the
    username or e-mail named nobody of the key's institution; `person_ref` keeps what was sent so
    the institution admin can see whom the products name that the portal does not know.

    Only the indexes the rollup and the purge need: every index is paid for on each insert."""

    id = models.UUIDField(primary_key=True)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+", db_index=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    person_ref = models.CharField(_("username or e-mail sent"), max_length=254)
    product = models.CharField(_("product"), max_length=40)
    version = models.CharField(_("version"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=UsageEventKind.choices)
    feature = models.CharField(_("feature"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"))
    # The request that stored the event: after the bulk insert, the events of this batch are the
    # ones this request inserted (the others were already there).
    batch_id = models.UUIDField()
    key_prefix = models.CharField(max_length=8)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("usage event")
        verbose_name_plural = _("usage events")
        indexes = [
            # The rollup reads an institution's events around one day, the purge each institution's
            # oldest; one index serves both.
            models.Index(fields=["institution", "occurred_at"], name="usage_event_inst_time"),
            # Unmatched names, listed for the institution admin: few rows, so a small index.
            models.Index(
                fields=["institution", "person_ref"],
                name="usage_event_unmatched",
                condition=models.Q(person__isnull=True),
            ),
        ]


class UsageDirtyDay(models.Model):
    """A day of an institution that received events since its figures were last rolled up.
    Ingestion marks it (upsert, bumping `marked_at`); the rollup recomputes it and deletes the row
    only if `marked_at` is unchanged, so a batch arriving during the rollup is never lost."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    on = models.DateField()
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution", "on"], name="usage_dirty_day_once")]


class UsageDay(models.Model):
    """One person's use of one product version on one day (Europe/Istanbul): what reports read."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product = models.CharField(_("product"), max_length=40)
    version = models.CharField(_("version"), max_length=40)
    on = models.DateField(_("day"))
    active_seconds = models.PositiveIntegerField(_("active time (seconds)"), default=0)
    sessions = models.PositiveIntegerField(_("sessions"), default=0)
    feature_uses = models.PositiveIntegerField(_("feature uses"), default=0)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("usage day")
        verbose_name_plural = _("usage days")
        constraints = [
            models.UniqueConstraint(fields=["person", "product", "version", "on"], name="usage_day_once")
        ]
        indexes = [models.Index(fields=["institution", "on"], name="usage_day_inst_on")]


class UsageFeatureDay(models.Model):
    """How often one person used one feature of one product on one day."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product = models.CharField(_("product"), max_length=40)
    feature = models.CharField(_("feature"), max_length=100)
    on = models.DateField(_("day"))
    uses = models.PositiveIntegerField(_("uses"), default=0)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("feature usage day")
        verbose_name_plural = _("feature usage days")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "product", "feature", "on"], name="usage_feature_day_once"
            )
        ]
        indexes = [models.Index(fields=["institution", "on"], name="usage_feature_day_inst_on")]
