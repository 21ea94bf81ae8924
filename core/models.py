from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first answer to a POST that carried an Idempotency-Key, replayed for retries. The
    request's fingerprint binds the key to what was sent: the same key with another body is a
    client error, not a retry. Kept for IDEMPOTENCY_RETENTION, then purged by beat."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=200, help_text="The endpoint the key was used on.")
    request_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the request's content.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key", "scope"], name="idempotency_once"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]


def _now():
    """The current time, looked up at each call (a clock the caller moved is the one used)."""
    return timezone.now()


class OutboxMessage(models.Model):
    """One message to one recipient for one cause: the product's only outbox. Written in the
    transaction of the change that calls for it (core.outbox.outbox_enqueue), sent by the one
    worker path (core.outbox.outbox_drain) with the one retry policy, purged by one periodic job.

    (channel, cause, recipient) is the deduplication key: the same cause queued again for the same
    recipient is the row already there, so a retry of the cause never reaches a recipient twice.
    The content is either rendered (subject, body, html, attachments) or named by `renderer` and
    `context`, a function an app registered with core that renders it when it is sent."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PUSH = "push", _("Push")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    cause = models.CharField(_("cause"), max_length=200)
    recipient = models.CharField(_("recipient"), max_length=320)
    language = models.CharField(_("language"), max_length=10, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    body = models.TextField(_("body"), blank=True)
    html = models.TextField(_("HTML body"), blank=True)
    # [{"name": …, "content": base64, "mimetype": …}]
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    renderer = models.CharField(_("renderer"), max_length=100, blank=True)
    context = models.JSONField(_("rendering context"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=_now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=_now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "cause", "recipient"], name="outbox_once_per_recipient"
            ),
        ]
        indexes = [
            # The drain's probe: the due pending rows, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="core_outbox_due",
                condition=Q(status="pending"),
            ),
            # The purge deletes the oldest finished rows first.
            models.Index(
                fields=["created_at"],
                name="core_outbox_finished",
                condition=~Q(status="pending"),
            ),
        ]

    def __str__(self):
        return f"{self.channel} {self.cause} → {self.recipient}"
