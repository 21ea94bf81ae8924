from django.conf import settings

from organizations.models import User
from organizations.roles import CUSTOMER_SIDE, DESK_ROLES, Role
from tickets.models import TicketMessage

from .models import MANDATORY_KINDS, Kind, Mode, NotificationPreference, NotificationProfile

CUSTOMER_KINDS = (
    Kind.TICKET_FILED,
    Kind.DESK_ANSWERED,
    Kind.CUSTOMER_REPLIED,
    Kind.WAITING_ON_CUSTOMER,
    Kind.RESOLVED,
    Kind.REOPENED,
    Kind.DEVELOPMENT_UPDATED,
    Kind.SHARE_GIVEN,
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


def modes_allowed(kind: str) -> list[str]:
    if kind in MANDATORY_KINDS:
        return [Mode.ON]
    if kind == Kind.DAILY_DIGEST:
        return [Mode.ON, Mode.OFF]
    return [Mode.ON, Mode.DIGEST, Mode.OFF]


def preference_modes_for(*, person: User) -> dict[str, str]:
    """Every kind the person can receive with its mode: on unless they chose otherwise."""
    chosen = dict(NotificationPreference.objects.filter(person=person).values_list("kind", "mode"))
    return {
        kind: Mode.ON if kind in MANDATORY_KINDS else chosen.get(kind, Mode.ON)
        for kind in kind_list_for(person=person)
    }


def preference_modes_for_pairs(*, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """The mode of each (person id, kind) pair, in one query (the fan-out's); on where unset."""
    if not pairs:
        return {}
    chosen = {
        (person_id, kind): mode
        for person_id, kind, mode in NotificationPreference.objects.filter(
            person_id__in={person_id for person_id, _ in pairs}, kind__in={kind for _, kind in pairs}
        ).values_list("person_id", "kind", "mode")
    }
    return {pair: chosen.get(pair, Mode.ON) for pair in pairs}


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
