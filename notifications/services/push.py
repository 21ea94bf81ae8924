"""Push: the devices a person registers and the one path every push leaves by.

    push_request_many(requests=[PushRequest(recipient_id=…, cause=…, kind=…, title=…, body=…, url=…)])

is the single entry point, called in the transaction that decided the push (the ticket-event
fan-out, the training reminder through the composition layer). It writes one `PushMessage` per
recipient and cause — the unique constraint makes a repeat harmless — for people who have push on
for that kind and at least one device. `push_drain` (beat, with the e-mail dispatch every 5 s)
sends them, one locked row at a time, to each device through the platform's transport
(`notifications/push.py`); a device the push service calls gone is removed, a failure is retried
with the outbox's retry policy (core.outbox: retry_delay, MAX_ATTEMPTS)."""

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.outbox import MAX_ATTEMPTS, drain_in_batches, retry_delay
from organizations.models import User

from ..models import PUSH_KINDS, Kind, PushMessage, PushSubscription
from ..push import PushFailed, PushGone, transport_for
from ..selectors import push_modes_for_pairs, push_subscribed_person_ids

logger = logging.getLogger(__name__)

BATCH = 100
BUDGET_SECONDS = 20.0
# A push older than a day is of no use on a phone: the push services drop it after this.
TTL_SECONDS = 24 * 3600

Status = PushMessage.Status


@dataclass(frozen=True)
class PushRequest:
    recipient_id: int
    cause: str
    kind: str
    title: str
    body: str
    url: str = ""


def push_subscription_save(
    *,
    actor: User,
    platform: str,
    endpoint: str,
    p256dh: str = "",
    auth: str = "",
    user_agent: str = "",
) -> tuple[PushSubscription, bool]:
    """Register one of the actor's devices; returns it and whether it is new. A browser (`web`)
    must give its keys. An endpoint is one device: registering it again updates its keys, and
    when someone else signs in on that device it becomes theirs. Harmless to repeat."""
    if platform not in PushSubscription.Platform.values:
        raise ValidationError({"platform": [ValidationError(_("Unknown platform."), code="invalid")]})
    if platform == PushSubscription.Platform.WEB and not (p256dh and auth):
        raise ValidationError(
            {
                "keys": [
                    ValidationError(
                        _("A browser subscription needs its p256dh and auth keys."), code="required"
                    )
                ]
            }
        )
    with transaction.atomic():
        subscription, created = PushSubscription.objects.select_for_update().get_or_create(
            endpoint=endpoint,
            defaults={
                "person": actor,
                "platform": platform,
                "p256dh": p256dh,
                "auth": auth,
                "user_agent": user_agent,
            },
        )
        if not created:
            subscription.person = actor
            subscription.platform = platform
            subscription.p256dh = p256dh
            subscription.auth = auth
            subscription.user_agent = user_agent
            subscription.full_clean(validate_unique=False)
            subscription.save(update_fields=["person", "platform", "p256dh", "auth", "user_agent"])
    logger.info("notifications.push_subscribed", extra={"person": actor.pk, "platform": platform})
    return subscription, created


def push_subscription_remove(*, actor: User, endpoint: str) -> bool:
    """Forget one of the actor's devices. False when the actor has no such device (another
    person's endpoint is left alone). Harmless to repeat."""
    deleted, _rows = PushSubscription.objects.filter(person=actor, endpoint=endpoint).delete()
    return bool(deleted)


def push_request_many(*, requests: list[PushRequest]) -> int:
    """Ask for pushes: one row per recipient and cause, for recipients with push on for the kind
    and a device to reach. Runs in the caller's transaction; returns how many rows were offered
    (a repeat of a cause is dropped by the unique constraint)."""
    wanted = [request for request in requests if request.kind in PUSH_KINDS]
    if not wanted:
        return 0
    reachable = push_subscribed_person_ids(person_ids={request.recipient_id for request in wanted})
    wanted = [request for request in wanted if request.recipient_id in reachable]
    modes = push_modes_for_pairs(pairs={(request.recipient_id, request.kind) for request in wanted})
    rows = [
        PushMessage(
            recipient_id=request.recipient_id,
            cause=request.cause[:120],
            kind=request.kind,
            title=request.title[:200],
            body=request.body,
            url=request.url[:500],
        )
        for request in wanted
        if modes[(request.recipient_id, request.kind)] == "on"
    ]
    if rows:
        PushMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def forecast_alert_push(*, recipient_ids: list[int], cause: str, title: str, body: str, url: str) -> int:
    """The breach forecast's alert as a push to each desk lead who has SLA-breach pushes on and a
    device (the forecast is about breaches). Once per recipient and cause."""
    return push_request_many(
        requests=[
            PushRequest(recipient_id=pk, cause=cause, kind=Kind.SLA_BREACH, title=title, body=body, url=url)
            for pk in recipient_ids
        ]
    )


def _payload(message: PushMessage) -> dict:
    return {
        "title": message.title,
        "body": message.body,
        "url": message.url,
        "kind": message.kind,
        "tag": message.cause,
    }


def _send_one(message: PushMessage, devices: list[PushSubscription], now: datetime.datetime) -> bool:
    """Send to every device not reached yet; True when none is left to reach."""
    reached = set(message.delivered_to)
    gone: list[int] = []
    errors: list[str] = []
    for device in devices:
        if device.pk in reached:
            continue
        try:
            transport_for(device.platform).send(
                subscription=device, payload=_payload(message), ttl=TTL_SECONDS
            )
        except PushGone:
            gone.append(device.pk)
        except PushFailed as exc:
            errors.append(f"{device.pk}: {exc}")
        else:
            reached.add(device.pk)
    if gone:
        PushSubscription.objects.filter(pk__in=gone).delete()
        logger.info("notifications.push_gone", extra={"count": len(gone), "person": message.recipient_id})
    delivered = sorted(reached)
    if delivered:
        PushSubscription.objects.filter(pk__in=delivered).update(last_pushed_at=now)
    message.delivered_to = delivered
    if not errors:
        message.status = Status.SENT
        message.sent_at = now
        message.save(update_fields=["delivered_to", "status", "sent_at"])
        return True
    message.attempts += 1
    message.last_error = "\n".join(errors)[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = Status.FAILED
    else:
        message.available_at = now + retry_delay(message.attempts)
    message.save(update_fields=["delivered_to", "attempts", "last_error", "available_at", "status"])
    logger.warning("notifications.push_failed", extra={"push_id": message.pk, "attempts": message.attempts})
    return False


def _due(now: datetime.datetime):
    """The pushes due now, oldest first, locked; rows other drains hold are skipped."""
    return (
        PushMessage.objects.select_for_update(skip_locked=True)
        .filter(status=Status.PENDING, available_at__lte=now)
        .order_by("available_at", "id")
    )


def _send_batch(batch: list[PushMessage], now: datetime.datetime) -> int:
    devices: dict[int, list[PushSubscription]] = {}
    for device in PushSubscription.objects.filter(
        person_id__in={message.recipient_id for message in batch}
    ).order_by("pk"):
        devices.setdefault(device.person_id, []).append(device)
    return sum(1 for message in batch if _send_one(message, devices.get(message.recipient_id, []), now))


def push_drain(*, limit: int = BATCH, budget_seconds: float = BUDGET_SECONDS) -> int:
    """Send the pending pushes that are due, in locked batches other drains skip. Returns how
    many were sent to all their devices. Harmless to run twice or concurrently."""
    total = drain_in_batches(_due, _send_batch, limit=limit, budget_seconds=budget_seconds)
    if total:
        logger.info("notifications.pushed", extra={"count": total})
    return total
