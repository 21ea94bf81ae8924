from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Institution, TenantQuerySet
from tickets.models import Ticket, TicketEvent


class Kind(models.TextChoices):
    """What a notification is about. The last two are sent by the SLA engine and the quota
    notices themselves; they are listed so that people see them, and cannot be turned off."""

    TICKET_FILED = "ticket_filed", _("Ticket filed")
    DESK_ANSWERED = "desk_answered", _("The desk answered")
    CUSTOMER_REPLIED = "customer_replied", _("The customer side replied")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on you")
    RESOLVED = "resolved", _("Ticket resolved")
    REOPENED = "reopened", _("Ticket reopened")
    DEVELOPMENT_UPDATED = "development_updated", _("Development item changed")
    SHARE_GIVEN = "share_given", _("A ticket was shared with you")
    DAILY_DIGEST = "daily_digest", _("Daily digest")
    INTAKE_REFUSED = "intake_refused", _("E-mail could not be accepted")
    SLA_BREACH = "sla_breach", _("First-response deadline breached")
    QUOTA_EXHAUSTED = "quota_exhausted", _("Quota exhausted")
    TRAINING_REMINDER = "training_reminder", _("Training reminder")


MANDATORY_KINDS = frozenset({Kind.SLA_BREACH, Kind.QUOTA_EXHAUSTED})
# Kinds whose e-mail is sent by another app on its own schedule and cannot be turned off; only
# their push can be chosen.
EMAIL_FIXED_KINDS = frozenset({Kind.TRAINING_REMINDER})
# What can also reach a phone: whatever tells a person that something happened to their ticket or
# training. The digest, the intake answers and the quota notice stay e-mail only.
PUSH_KINDS = frozenset(
    {
        Kind.DESK_ANSWERED,
        Kind.CUSTOMER_REPLIED,
        Kind.WAITING_ON_CUSTOMER,
        Kind.RESOLVED,
        Kind.REOPENED,
        Kind.DEVELOPMENT_UPDATED,
        Kind.SHARE_GIVEN,
        Kind.SLA_BREACH,
        Kind.TRAINING_REMINDER,
    }
)


class Mode(models.TextChoices):
    ON = "on", _("E-mail at once")
    DIGEST = "digest", _("In the daily digest only")
    OFF = "off", _("Off")


class PushMode(models.TextChoices):
    ON = "on", _("Push at once")
    OFF = "off", _("Off")


class NotificationPreference(models.Model):
    """How one person wants one kind of notification, per channel: `mode` for e-mail, `push` for
    their devices. No row means the default: both on."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ON)
    push = models.CharField(_("push"), max_length=10, choices=PushMode.choices, default=PushMode.ON)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="notification_preference_once")
        ]


class NotificationProfile(models.Model):
    """The language a person's e-mails are written in. No row means the site's default (Turkish)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_profile"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("notification profile")
        verbose_name_plural = _("notification profiles")


class FanoutCursor(models.Model):
    """How far the ticket history has been turned into notifications. One row; locked by the pass
    that moves it, so two passes never work at once."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class InboundMessage(models.Model):
    """One e-mail received (IMAP or a provider's webhook), recorded once by its Message-ID
    whatever fetches it again, with what became of it."""

    class Source(models.TextChoices):
        IMAP = "imap", _("IMAP mailbox")
        WEBHOOK = "webhook", _("Provider webhook")

    class Outcome(models.TextChoices):
        REPLIED = "replied", _("Added to its ticket")
        FILED = "filed", _("Filed as a new ticket")
        REFUSED = "refused", _("Refused")
        IGNORED = "ignored", _("Ignored (automatic message)")

    message_id = models.CharField(_("Message-ID"), max_length=500, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=60, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        ordering = ["-received_at"]


class Notification(models.Model):
    """One e-mail to one person (or, for a refused inbound e-mail, one known person's address).
    Made once per ticket event and recipient (unique constraint); a pending one is handed to the
    outbox of core (one row, cause `notification:<id>`), which sends it, retries it with its one
    policy and records whether it went."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        HELD = "held", _("Held for the daily digest")
        DIGESTED = "digested", _("Sent in a digest")
        SKIPPED = "skipped", _("Turned off by the recipient")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    to_address = models.CharField(_("to"), max_length=320)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    event = models.ForeignKey(TicketEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    inbound = models.ForeignKey(
        InboundMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    digest = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="items")
    digest_on = models.DateField(_("digest of"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    available_at = models.DateTimeField(_("available at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient", "kind"],
                condition=Q(event__isnull=False),
                name="notification_once_per_event",
            ),
            models.UniqueConstraint(
                fields=["recipient", "digest_on"],
                condition=Q(kind="daily_digest"),
                name="notification_digest_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["inbound", "kind"],
                condition=Q(inbound__isnull=False),
                name="notification_once_per_inbound",
            ),
        ]
        indexes = [
            models.Index(
                fields=["available_at", "id"], name="notification_pending", condition=Q(status="pending")
            ),
            models.Index(fields=["recipient", "id"], name="notification_held", condition=Q(status="held")),
        ]

    def __str__(self):
        return f"{self.kind} → {self.to_address}"


class PushSubscription(models.Model):
    """One device of one person that notifications are pushed to. A browser gives its push
    service's endpoint and its keys (Web Push); a native app gives its FCM or APNs token as the
    endpoint. Removed when the person unsubscribes or the push service says it is gone."""

    class Platform(models.TextChoices):
        WEB = "web", _("Web browser (Web Push)")
        FCM = "fcm", _("Android (Firebase Cloud Messaging)")
        APNS = "apns", _("iOS (Apple Push Notification service)")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices, default=Platform.WEB)
    endpoint = models.CharField(_("endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(_("public key (p256dh)"), max_length=200, blank=True)
    auth = models.CharField(_("authentication secret"), max_length=100, blank=True)
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_pushed_at = models.DateTimeField(_("last pushed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        indexes = [models.Index(fields=["person"], name="push_subscription_person")]

    def __str__(self):
        return f"{self.platform} → {self.person_id}"


class PushMessage(models.Model):
    """One push to one person for one cause (`ticket-event:<id>`, `training-reminder:<id>:1h`…),
    made once (unique constraint) and sent at least once to each of the person's devices: the ids
    of the devices that have it are kept, so a retry after one device's failure reaches only the
    others."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_messages"
    )
    cause = models.CharField(_("cause"), max_length=120)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    delivered_to = models.JSONField(_("devices reached"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    available_at = models.DateTimeField(_("available at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("push message")
        verbose_name_plural = _("push messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "cause"], name="push_message_once_per_cause")
        ]
        indexes = [
            models.Index(
                fields=["available_at", "id"], name="push_message_pending", condition=Q(status="pending")
            )
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"
