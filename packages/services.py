import datetime
import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.outbox import outbox_enqueue_many, outbox_message, recipient_language
from organizations.audit import audit_actions_register, audit_record, audited
from organizations.models import Institution, User
from organizations.roles import Role
from organizations.selectors import seat_count
from slaportal.celery import publish

from .errors import ChannelNotIncluded, QuotaExhausted
from .models import Allotment, Channel, Package, PackageChannel, QuotaEntry, QuotaNotice, Subscription
from .selectors import TICKET_REFERENCE, subscription_in_force, ticket_units_held

logger = logging.getLogger(__name__)

audit_actions_register(
    {
        "subscription.sell": gettext_lazy("Contract sold"),
        "subscription.adjust": gettext_lazy("Contract adjusted"),
    }
)


def _one_year_from(starts_on: datetime.date) -> datetime.date:
    try:
        next_year = starts_on.replace(year=starts_on.year + 1)
    except ValueError:  # 29 February
        next_year = starts_on.replace(year=starts_on.year + 1, day=28)
    return next_year - datetime.timedelta(days=1)


def _resolve_figure(term: PackageChannel, requested: int | None) -> tuple[int | None, dict]:
    """The contract figure of one channel, or the field error explaining why it is refused."""
    label = Channel(term.channel).label
    if not term.is_included:
        if requested:
            return None, {
                term.channel: _("%(channel)s is not included in this package.") % {"channel": label}
            }
        return None, {}
    if term.is_unlimited:
        return None, {}
    if requested is None:
        if term.minimum == term.maximum:
            return term.minimum, {}
        return None, {
            term.channel: _("Choose a figure between %(min)s and %(max)s for %(channel)s.")
            % {"min": term.minimum, "max": term.maximum, "channel": label}
        }
    if not term.minimum <= requested <= term.maximum:
        return None, {
            term.channel: _(
                "%(channel)s must be between %(min)s and %(max)s in this package; %(value)s is outside it."
            )
            % {"channel": label, "min": term.minimum, "max": term.maximum, "value": requested}
        }
    return requested, {}


@audited("subscription.sell")
def subscription_sell(
    *,
    actor: User | None,
    institution: Institution,
    package: Package,
    starts_on: datetime.date,
    user_cap: int | None = None,
    figures: dict[str, int] | None = None,
) -> Subscription:
    """Sell one year of a package to an institution, copying the package's terms into the contract.

    Figures given per channel (and the user cap) must lie in the package's ranges; a fixed figure
    may be left out. Raises ValidationError with one message per offending field and writes
    nothing then. Not idempotent: each call sells another contract; a second contract overlapping
    the institution's current one is refused."""
    figures = dict(figures or {})
    unknown = set(figures) - set(Channel.values)
    errors: dict[str, str] = {}
    for name in sorted(unknown):
        errors[name] = _("Unknown channel “%(channel)s”.") % {"channel": name}

    if user_cap is None and package.users_max is not None and package.users_min == package.users_max:
        user_cap = package.users_max
    if user_cap is None and package.users_max is not None:
        errors["user_cap"] = _("Choose a user cap between %(min)s and %(max)s.") % {
            "min": package.users_min,
            "max": package.users_max,
        }
    elif user_cap is not None and (
        user_cap < package.users_min or (package.users_max is not None and user_cap > package.users_max)
    ):
        errors["user_cap"] = _("The user cap must be between %(min)s and %(max)s in this package.") % {
            "min": package.users_min,
            "max": package.users_max if package.users_max is not None else "∞",
        }

    resolved: list[tuple[PackageChannel, int | None]] = []
    for term in package.channels.all():
        figure, error = _resolve_figure(term, figures.get(term.channel))
        errors.update(error)
        resolved.append((term, figure))
    if errors:
        raise ValidationError(errors)

    ends_on = _one_year_from(starts_on)
    with transaction.atomic():
        Institution.objects.select_for_update().get(pk=institution.pk)
        overlapping = Subscription.objects.for_institution(institution).filter(
            starts_on__lte=ends_on, ends_on__gte=starts_on
        )
        if overlapping.exists():
            raise ValidationError(
                {
                    "starts_on": _(
                        "This institution already has a contract in that period; renew from its end."
                    )
                }
            )
        subscription = Subscription(
            institution=institution,
            package=package,
            starts_on=starts_on,
            ends_on=ends_on,
            user_cap=user_cap,
            **Subscription.terms_from(package),
            sold_by=actor,
        )
        subscription.full_clean()
        subscription.save()
        Allotment.objects.bulk_create(
            Allotment(
                subscription=subscription,
                channel=term.channel,
                allotment=figure,
                is_unlimited=term.is_unlimited,
                is_included=term.is_included,
            )
            for term, figure in resolved
        )
        audit_record(
            actor=actor,
            action="subscription.sell",
            target=subscription,
            after={
                "package": package.code,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "user_cap": user_cap,
                "figures": {term.channel: figure for term, figure in resolved},
            },
        )
    return subscription


@audited("subscription.sell")
def subscription_renew(
    *, actor: User | None, subscription: Subscription, package: Package | None = None, **kwargs
):
    """Sell the next year right after the given contract, on the same or another package."""
    return subscription_sell(
        actor=actor,
        institution=subscription.institution,
        package=package or subscription.package,
        starts_on=subscription.ends_on + datetime.timedelta(days=1),
        **kwargs,
    )


def quota_consume(
    *,
    actor: User | None,
    institution: Institution,
    channel: str,
    reference_type: str,
    reference_id: str | int,
    units: int = 1,
    note: str = "",
    at: datetime.datetime | None = None,
    subscription: Subscription | None = None,
) -> int | None:
    """Consume units of a channel of the institution's contract in force and record the entry.

    Returns what remains (None for an unlimited channel, which is counted but never blocked).
    Raises QuotaExhausted, ChannelNotIncluded or NoActiveSubscription, writing nothing then, and
    ValidationError for an unknown channel or a non-positive amount. The admission is one
    conditional UPDATE, so concurrent calls can never take more than the allotment. Every call
    consumes: callers make their own retries idempotent. Joins the caller's transaction.
    A caller that has just read the contract in force on `at` passes it as `subscription`."""
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel “%(channel)s”.") % {"channel": channel}})
    if units < 1:
        raise ValidationError({"units": _("At least one unit must be consumed.")})
    at = at or timezone.now()
    if subscription is None:
        subscription = subscription_in_force(institution=institution, on=timezone.localdate(at))
    # No savepoint: a refusal is raised after an UPDATE that changed nothing, outside the block, so
    # the caller's transaction stays usable; anything failing inside fails the caller's too.
    with transaction.atomic(savepoint=False):
        allotment = _allotment_admit(subscription=subscription, channel=channel, units=units)
        admitted = allotment is not None
        if admitted:
            QuotaEntry.objects.create(
                subscription=subscription,
                institution=institution,
                channel=channel,
                units=units,
                consumed_at=at,
                consumed_by=actor,
                reference_type=reference_type,
                reference_id=str(reference_id),
                note=note,
            )
            quota_notice_raise(allotment=allotment, units=units)
    if not admitted:
        allotment = Allotment.objects.filter(subscription=subscription, channel=channel).first()
        if allotment is None or not allotment.is_included:
            raise ChannelNotIncluded(channel=channel, package=subscription.package.name)
        raise QuotaExhausted(channel=channel, allotment=allotment.allotment, renews_on=subscription.renews_on)
    return allotment.remaining


# --- The counting rule for tickets ----------------------------------------------------------------
# A ticket draws at most one unit per channel (docs/contract.md): its written unit when it is filed
# in writing, one phone unit the first time it is handled by phone, one remote unit the first time
# it is handled by a remote session. A ticket recorded during an on-site day draws nothing: the day
# is drawn on onsite_days by its booking. Every filing, call and remote session goes through here.
TICKET_COUNTED_CHANNELS = (Channel.WRITTEN, Channel.PHONE, Channel.REMOTE)


def ticket_unit_draw(
    *,
    actor: User | None,
    institution: Institution,
    ticket_id: int,
    channel: str,
    at: datetime.datetime | None = None,
    subscription: Subscription | None = None,
    note: str = "",
    is_new_ticket: bool = False,
) -> bool:
    """Apply the counting rule to one handling of a ticket on a channel (its filing, a call, a
    remote session): draw one unit of that channel unless the ticket already holds one, and nothing
    for on-site. Returns True when a unit was drawn. Raises what quota_consume raises (nothing is
    written then). The caller holds the ticket's row lock (or has just created the ticket,
    `is_new_ticket`, which spares the look-up), so two handlings of one ticket cannot both count.
    Joins the caller's transaction; running it twice for the same ticket and channel draws once."""
    if channel == Channel.ONSITE_DAYS:
        return False
    if channel not in TICKET_COUNTED_CHANNELS:
        raise ValidationError({"channel": _("Unknown channel “%(channel)s”.") % {"channel": channel}})
    if not is_new_ticket and channel in ticket_units_held(institution=institution, ticket_id=ticket_id):
        return False
    quota_consume(
        actor=actor,
        institution=institution,
        channel=channel,
        reference_type=TICKET_REFERENCE,
        reference_id=ticket_id,
        note=note,
        at=at,
        subscription=subscription,
    )
    return True


def _allotment_admit(*, subscription: Subscription, channel: str, units: int) -> Allotment | None:
    """Admit a consumption: one conditional UPDATE that adds the units only while the allotment
    allows them, answering the allotment as it is after it (None when refused). RETURNING spares
    reading the row back, a statement more while the row is locked, and every other consumption
    of the same channel waits on that lock until commit."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Allotment._meta.db_table} SET used = used + %s "  # noqa: S608
            "WHERE subscription_id = %s AND channel = %s AND is_included = %s "
            "AND (is_unlimited = %s OR allotment >= used + %s) "
            "RETURNING id, allotment, is_unlimited, used",
            [units, subscription.pk, channel, True, True, units],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    pk, allotment, is_unlimited, used = row
    return Allotment(
        pk=pk,
        subscription=subscription,
        channel=channel,
        allotment=allotment,
        is_unlimited=bool(is_unlimited),
        is_included=True,
        used=used,
    )


def quota_release(
    *,
    actor: User | None,
    institution: Institution,
    reference_type: str,
    reference_id: str | int,
    note: str = "",
    at: datetime.datetime | None = None,
) -> int:
    """Give back what one booking or ticket consumed: each of its uses not yet reversed gets a
    reversing entry, and the allotment of the contract it was drawn from is lowered by one
    conditional UPDATE. The uses stay in the ledger. Returns the units given back; running it
    twice gives nothing back the second time (the one-to-one `reverses` refuses a second
    reversal). Joins the caller's transaction."""
    at = at or timezone.now()
    released = 0
    with transaction.atomic():
        uses = list(
            QuotaEntry.objects.for_institution(institution)
            .select_for_update(of=("self",))
            .filter(
                reference_type=reference_type,
                reference_id=str(reference_id),
                reverses__isnull=True,
                reversal__isnull=True,
            )
            .order_by("pk")
        )
        # The allotments before the ledger, in the order quota_consume takes them: a ledger entry
        # locks its month's row of the ledger's roll-up (reports), and taking the two the other
        # way round could deadlock with a consumption of the same channel.
        if uses:
            list(
                Allotment.objects.select_for_update()
                .filter(
                    subscription_id__in={u.subscription_id for u in uses},
                    channel__in={u.channel for u in uses},
                )
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        for use in uses:
            try:
                with transaction.atomic():
                    QuotaEntry.objects.create(
                        subscription_id=use.subscription_id,
                        institution=institution,
                        channel=use.channel,
                        units=use.units,
                        consumed_at=at,
                        consumed_by=actor,
                        reference_type=reference_type,
                        reference_id=str(reference_id),
                        note=note,
                        reverses=use,
                    )
            except IntegrityError:
                continue
            Allotment.objects.filter(
                subscription_id=use.subscription_id, channel=use.channel, used__gte=use.units
            ).update(used=F("used") - use.units)
            released += use.units
    return released


# Remaining share of an allotment at which the institution admin is told the channel runs low.
QUOTA_LOW_SHARE = 0.2
# The notice levels from the least severe to the most.
NOTICE_SEVERITY = (QuotaNotice.Level.LOW, QuotaNotice.Level.EXHAUSTED)


def quota_notice_level(*, allotment: int | None, remaining: int | None) -> str | None:
    """The notice a channel's remaining figure calls for: exhausted at 0, low at 20 % or less,
    none above (nor for an unlimited channel, which never runs out)."""
    if remaining is None or not allotment:
        return None
    if remaining <= 0:
        return QuotaNotice.Level.EXHAUSTED
    if remaining <= allotment * QUOTA_LOW_SHARE:
        return QuotaNotice.Level.LOW
    return None


def quota_notice_raise(*, allotment: Allotment, units: int = 1) -> QuotaNotice | None:
    """Record the notice a consumption of `units` that left `allotment` as it is calls for: one
    notice per threshold crossed (the remaining figure was above it before the use and is at or
    below it after), and when a single use crosses several, only the most severe. Each level is
    recorded once per subscription (a unique row) and the institution admins are e-mailed after
    commit. Joins the caller's transaction; the row is the outbox: quota_notice_sweep sends
    whatever the task did not."""
    remaining = allotment.remaining
    level = quota_notice_level(allotment=allotment.allotment, remaining=remaining)
    if level is None:
        return None
    before = quota_notice_level(allotment=allotment.allotment, remaining=remaining + units)
    if before is not None and NOTICE_SEVERITY.index(before) >= NOTICE_SEVERITY.index(level):
        return None
    notices = QuotaNotice.objects.filter(subscription_id=allotment.subscription_id, channel=allotment.channel)
    if notices.filter(level=level).exists():
        return None
    try:
        with transaction.atomic():
            notice = QuotaNotice.objects.create(
                subscription_id=allotment.subscription_id, channel=allotment.channel, level=level
            )
    except IntegrityError:
        return None
    transaction.on_commit(partial(_quota_notice_publish, notice.pk))
    return notice


def _quota_notice_publish(notice_id: int) -> None:
    publish("packages.quota_notice_send", args=[notice_id], queue="celery")


def quota_notice_send(*, notice_id: int) -> bool:
    """E-mail the institution admins about one quota notice not sent yet (one outbox row each, in
    their language, written in the transaction that marks the notice sent).
    The figures are the ledger's at sending time. A notice the ledger no longer bears out is
    withdrawn (its row deleted, no e-mail): a "20 % left" one when the channel has since run out
    (the "used up" notice says so) or units came back above 20 %, a "used up" one when units came
    back; a later crossing raises it anew. The row is locked while sending, so concurrent senders
    send once; False when it is gone, already sent or withdrawn."""
    with transaction.atomic():
        notice = (
            QuotaNotice.objects.select_for_update(skip_locked=True)
            .filter(pk=notice_id, sent_at__isnull=True)
            .select_related("subscription__institution", "subscription__package")
            .first()
        )
        if notice is None:
            return False
        subscription = notice.subscription
        allotment = Allotment.objects.get(subscription=subscription, channel=notice.channel)
        if quota_notice_level(allotment=allotment.allotment, remaining=allotment.remaining) != notice.level:
            logger.info(
                "packages.quota_notice_withdrawn",
                extra={"notice": notice.pk, "level": notice.level, "remaining": allotment.remaining},
            )
            notice.delete()
            return False
        admins = list(
            User.objects.for_institution(subscription.institution_id)
            .filter(role=Role.INSTITUTION_ADMIN, is_active=True)
            .exclude(email="")
            .values_list("pk", "email")
        )
        messages = []
        for person_id, address in admins:
            language = recipient_language(person_id)
            with translation.override(language):
                subject, body = quota_notice_text(notice=notice, allotment=allotment)
            messages.append(
                outbox_message(
                    cause=f"packages.quota_notice:{notice.pk}",
                    recipient=address,
                    subject=subject,
                    body=body,
                    language=language,
                )
            )
        outbox_enqueue_many(messages=messages)
        QuotaNotice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())
    return True


def quota_notice_text(*, notice: QuotaNotice, allotment: Allotment) -> tuple[str, str]:
    """The subject and body of a notice, with the allotment's figures as they are now."""
    subscription = notice.subscription
    values = {
        "channel": Channel(notice.channel).label,
        "remaining": allotment.remaining,
        "used": allotment.used,
        "allotment": allotment.allotment,
        "renews_on": formats.date_format(subscription.renews_on, "DATE_FORMAT"),
        "package": subscription.package.name,
    }
    if notice.level == QuotaNotice.Level.EXHAUSTED:
        subject = _("%(channel)s: your allotment is used up") % values
        body = (
            _(
                "All %(allotment)s units of %(channel)s in your %(package)s contract are used. "
                "The allotment renews on %(renews_on)s; to add more before then, ask your account "
                "manager for an extension."
            )
            % values
        )
    else:
        subject = _("%(channel)s: 20 %% of your allotment is left") % values
        body = (
            _(
                "%(remaining)s of the %(allotment)s units of %(channel)s in your %(package)s "
                "contract are left. The allotment renews on %(renews_on)s."
            )
            % values
        )
    if notice.channel == Channel.ONSITE_DAYS:
        body += "\n\n" + _("Days beyond the contract can be requested as a priced quote: %(url)s") % {
            "url": settings.SITE_URL.rstrip("/") + "/onsite/"
        }
    return subject, body


def quota_notice_sweep(*, limit: int = 100) -> int:
    """Send the quota notices whose e-mail has not gone out (the task was lost or failed)."""
    pending = list(
        QuotaNotice.objects.filter(sent_at__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for notice_id in pending if quota_notice_send(notice_id=notice_id))


@audited("subscription.adjust")
def subscription_adjust(
    *,
    actor: User | None,
    subscription: Subscription,
    user_cap: int | None = None,
    figures: dict[str, int] | None = None,
) -> Subscription:
    """Change a running contract's user cap or channel figures, within the ranges its package
    allows; a figure can never go below what was already used, nor the cap below the people
    already holding a place. Raises ValidationError per field and writes nothing then. Running it
    twice with the same figures is harmless."""
    figures = {channel: value for channel, value in (figures or {}).items() if value is not None}
    package = subscription.package
    errors: dict[str, str] = {}
    if user_cap is not None:
        if user_cap < package.users_min or (package.users_max is not None and user_cap > package.users_max):
            errors["user_cap"] = _("The user cap must be between %(min)s and %(max)s in this package.") % {
                "min": package.users_min,
                "max": package.users_max if package.users_max is not None else "∞",
            }
        elif user_cap < seat_count(institution=subscription.institution):
            errors["user_cap"] = _("%(count)s people already hold a place; deactivate some first.") % {
                "count": seat_count(institution=subscription.institution)
            }
    terms = {term.channel: term for term in package.channels.all()}
    with transaction.atomic():
        allotments = {
            a.channel: a for a in Allotment.objects.select_for_update().filter(subscription=subscription)
        }
        for channel, value in figures.items():
            term, allotment = terms.get(channel), allotments.get(channel)
            if term is None or allotment is None:
                errors[channel] = _("Unknown channel “%(channel)s”.") % {"channel": channel}
                continue
            if allotment.is_unlimited:
                continue
            _figure, error = _resolve_figure(term, value)
            if error:
                errors.update(error)
            elif value < allotment.used:
                errors[channel] = _("%(used)s were already used; the figure cannot be lower.") % {
                    "used": allotment.used
                }
        if errors:
            raise ValidationError(errors)
        before: dict = {}
        after: dict = {}
        for channel, value in figures.items():
            allotment = allotments[channel]
            if not allotment.is_unlimited and allotment.allotment != value:
                before[channel], after[channel] = allotment.allotment, value
                allotment.allotment = value
                allotment.save(update_fields=["allotment"])
        if user_cap is not None and user_cap != subscription.user_cap:
            before["user_cap"], after["user_cap"] = subscription.user_cap, user_cap
            subscription.user_cap = user_cap
            subscription.save(update_fields=["user_cap"])
        if after:
            audit_record(
                actor=actor, action="subscription.adjust", target=subscription, before=before, after=after
            )
    return subscription
