from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionRule(models.Model):
    """How long one category of data is kept (KVKK's retention and destruction policy). Vendor
    staff edit the rules in the admin; `manage.py apply_retention` (beat, nightly) destroys what
    is older, in batches, and writes a DestructionRecord. An inactive rule destroys nothing."""

    class Category(models.TextChoices):
        TICKET_TEXTS = "ticket_texts", _("Closed tickets' texts")
        ATTACHMENTS = "attachments", _("Attachments")
        USAGE_EVENTS = "usage_events", _("Usage events")
        AUDIT_EVENTS = "audit_events", _("Audit entries")

    category = models.CharField(_("data category"), max_length=30, choices=Category.choices, unique=True)
    keep_days = models.PositiveIntegerField(
        _("kept for (days)"),
        help_text=_(
            "Counted from closing for tickets' texts, from upload for attachments, from the event "
            "for usage events and audit entries."
        ),
    )
    is_active = models.BooleanField(_("applied"), default=True)
    legal_basis = models.CharField(_("reason for keeping"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["category"]

    def __str__(self):
        return f"{self.get_category_display()} · {self.keep_days}"


class DestructionRecord(models.Model):
    """The record of one destruction run (the "imha tutanağı"): when it ran, and per category what
    was destroyed, how many, under which rule. Written by the retention service, never edited."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"#{self.pk} · {self.started_at:%Y-%m-%d %H:%M}"


class DestructionLine(models.Model):
    """One category of a destruction run: the rule as it stood, the cut-off, the count."""

    record = models.ForeignKey(
        DestructionRecord, on_delete=models.CASCADE, related_name="lines", verbose_name=_("record")
    )
    category = models.CharField(_("data category"), max_length=30, choices=RetentionRule.Category.choices)
    keep_days = models.PositiveIntegerField(_("kept for (days)"))
    cutoff_at = models.DateTimeField(_("destroyed what was older than"))
    destroyed = models.PositiveIntegerField(_("destroyed"), default=0)
    batches = models.PositiveIntegerField(_("batches"), default=0)

    class Meta:
        verbose_name = _("destruction line")
        verbose_name_plural = _("destruction lines")
        ordering = ["record", "category"]
        constraints = [
            models.UniqueConstraint(fields=["record", "category"], name="destruction_line_once"),
        ]
