from django.conf import settings

from organizations.models import User
from organizations.roles import CUSTOMER_SIDE, DESK_ROLES, Role
from tickets.models import TicketMessage

from .models import (
    EMAIL_FIXED_KINDS,
    MANDATORY_KINDS,
    PUSH_KINDS,
    Kind,
    Mode,
    NotificationPreference,
    NotificationProfile,
    PushMode,
    PushSubscription,
)

CUSTOMER_KINDS = (
    Kind.TICKET_FILED,
    Kind.DESK_ANSWERED,
    Kind.CUSTOMER_REPLIED,
    Kind.WAITING_ON_CUSTOMER,
    Kind.RESOLVED,
    Kind.REOPENED,
    Kind.DEVELOPMENT_UPDATED,
    Kind.SHARE_GIVEN,
    Kind.TRAINING_REMINDER,
)
ADMIN_KINDS = (Kind.DAILY_DIGEST, Kind.QUOTA_EXHAUSTED)
DESK_KINDS = (Kind.CUSTOMER_REPLIED, Kind.RESOLVED, Kind.REOPENED, Kind.SLA_BREACH)


def kind_list_for(*, person: User) -> list[str]:
    """The kinds a person can receive, in the order the preferences page lists them."""
    role = person.role
    if role in DESK_ROLES:
        return list(DESK_KINDS)
    if role in CUSTOMER_SIDE:
        return list(CUSTOMER_KINDS) + (list(ADMIN_KINDS) if role == Role.INSTITUTION_ADMIN else [])
    return []


def email_fixed(kind: str) -> bool:
    """Whether the kind's e-mail cannot be turned off (mandatory, or sent on its own schedule)."""
    return kind in MANDATORY_KINDS or kind in EMAIL_FIXED_KINDS


def modes_allowed(kind: str) -> list[str]:
    if email_fixed(kind):
        return [Mode.ON]
    if kind == Kind.DAILY_DIGEST:
        return [Mode.ON, Mode.OFF]
    return [Mode.ON, Mode.DIGEST, Mode.OFF]


def preference_modes_for(*, person: User) -> dict[str, str]:
    """Every kind the person can receive with its mode: on unless they chose otherwise."""
    chosen = dict(NotificationPreference.objects.filter(person=person).values_list("kind", "mode"))
    return {
        kind: Mode.ON if email_fixed(kind) else chosen.get(kind, Mode.ON)
        for kind in kind_list_for(person=person)
    }


def push_modes_allowed(kind: str) -> list[str]:
    """The push modes a kind offers: on or off where it is pushed at all, none otherwise."""
    return [PushMode.ON, PushMode.OFF] if kind in PUSH_KINDS else []


def push_modes_for(*, person: User) -> dict[str, str]:
    """Every kind the person can receive that is pushed, with its push mode: on unless chosen off."""
    chosen = dict(NotificationPreference.objects.filter(person=person).values_list("kind", "push"))
    return {
        kind: chosen.get(kind, PushMode.ON) for kind in kind_list_for(person=person) if kind in PUSH_KINDS
    }


def _choices_for_pairs(pairs: set[tuple[int, str]], column: str, default: str) -> dict[tuple[int, str], str]:
    """One preference column of each (person id, kind) pair, in one query; `default` where unset."""
    if not pairs:
        return {}
    chosen = {
        (person_id, kind): value
        for person_id, kind, value in NotificationPreference.objects.filter(
            person_id__in={person_id for person_id, _ in pairs}, kind__in={kind for _, kind in pairs}
        ).values_list("person_id", "kind", column)
    }
    return {pair: chosen.get(pair, default) for pair in pairs}


def push_modes_for_pairs(*, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """The push mode of each (person id, kind) pair, in one query; on where unset."""
    return _choices_for_pairs(pairs, "push", PushMode.ON)


def push_subscribed_person_ids(*, person_ids: set[int]) -> set[int]:
    """Which of these people have at least one device to push to, in one query."""
    if not person_ids:
        return set()
    return set(
        PushSubscription.objects.filter(person_id__in=person_ids)
        .values_list("person_id", flat=True)
        .distinct()
    )


def push_subscription_list_for(*, person: User) -> list[PushSubscription]:
    """The person's own devices, newest first."""
    return list(PushSubscription.objects.filter(person=person).order_by("-created_at", "-pk"))


def desk_lead_ids() -> list[int]:
    """The active desk leads, who hear of every breached deadline."""
    return list(User.objects.filter(role=Role.DESK_LEAD, is_active=True).values_list("pk", flat=True))


def languages_for(*, person_ids: set[int]) -> dict[int, str]:
    """The language of each person's notifications, in one query; the site's default where unset."""
    chosen = dict(
        NotificationProfile.objects.filter(person_id__in=person_ids).values_list("person_id", "language")
    )
    return {person_id: chosen.get(person_id) or settings.LANGUAGE_CODE for person_id in person_ids}


def preference_modes_for_pairs(*, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """The mode of each (person id, kind) pair, in one query (the fan-out's); on where unset."""
    return _choices_for_pairs(pairs, "mode", Mode.ON)


def language_for(*, person_id: int | None) -> str:
    if person_id is None:
        return settings.LANGUAGE_CODE
    language = (
        NotificationProfile.objects.filter(person_id=person_id).values_list("language", flat=True).first()
    )
    return language or settings.LANGUAGE_CODE


def message_body(*, message_id: int) -> str:
    """The text of a ticket message a notification quotes (a public reply: the event names it)."""
    return TicketMessage.objects.filter(pk=message_id).values_list("body", flat=True).first() or ""


def desk_person_ids(*, person_ids: set[int]) -> set[int]:
    """Which of these people work the desk (active support engineers and desk leads), in one query."""
    return set(
        User.objects.with_role(*DESK_ROLES)
        .filter(pk__in=person_ids, is_active=True)
        .values_list("pk", flat=True)
    )
