"""Reads of bookings. A person reaches a booking through `*_for(person=…)`: vendor staff see every
institution's (they plan the trainers and engineers), the institution admin its own; anyone else
sees nothing, and another institution's id is the same 404 as a missing one."""

import datetime

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from organizations.models import Institution, User
from organizations.roles import CUSTOMER_SIDE, VENDOR_SIDE, Role
from tickets.models import TicketMessage

from .models import BookingEvent, ContactRequest, OnboardingItem, OnsiteRequest, Workshop
from .permissions import is_vendor_staff


def _scoped(queryset: QuerySet, person: User) -> QuerySet:
    if is_vendor_staff(person):
        # Vendor staff plan bookings across institutions.
        return queryset
    if person.is_active and person.role == Role.INSTITUTION_ADMIN and person.institution_id:
        return queryset.for_institution(person.institution_id)
    return queryset.none()


def workshop_list_for(*, person: User) -> QuerySet[Workshop]:
    return _scoped(
        Workshop.objects.select_related("institution", "product", "trainer", "requested_by").prefetch_related(
            "attendees"
        ),
        person,
    )


def workshop_participant_choices(*, workshop: Workshop) -> QuerySet[User]:
    """The people who can be named as having joined the workshop: the active people of its
    institution's customer side."""
    return (
        User.objects.for_institution(workshop.institution_id)
        .filter(role__in=CUSTOMER_SIDE, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


def workshops_joined_by_group(
    *,
    institution: Institution,
    people: QuerySet[User],
    group_field: str,
    start: datetime.date,
    end: datetime.date,
) -> dict:
    """Held workshops that started in the period and that each person was named as having joined,
    per value of the person's `group_field` (pk, unit_id or region_id), counting only `people`:
    the figure personnel performance tracking shows. One grouped query."""
    key = f"user__{group_field}"
    rows = (
        Workshop.attendees.through.objects.filter(
            workshop__institution=institution,
            workshop__status=Workshop.Status.HELD,
            workshop__starts_at__date__gte=start,
            workshop__starts_at__date__lte=end,
            user__in=people,
        )
        .values(key)
        .annotate(joined=Count("id"))
        .order_by()
    )
    return {row[key]: row["joined"] for row in rows}


def workshop_get_for(*, person: User, pk: int) -> Workshop | None:
    return workshop_list_for(person=person).filter(pk=pk).first()


def onsite_list_for(*, person: User) -> QuerySet[OnsiteRequest]:
    return _scoped(OnsiteRequest.objects.select_related("institution", "engineer", "requested_by"), person)


def onsite_get_for(*, person: User, pk: int) -> OnsiteRequest | None:
    return onsite_list_for(person=person).filter(pk=pk).first()


def onboarding_list_for(*, person: User) -> QuerySet[OnboardingItem]:
    queryset = OnboardingItem.objects.select_related("institution", "product", "engineer")
    if person.is_active and person.is_customer_side and person.institution_id and not is_vendor_staff(person):
        # The welcome service is news for everyone at the institution, not only its admin.
        return queryset.for_institution(person.institution_id)
    return _scoped(queryset, person)


def onboarding_get_for(*, person: User, pk: int) -> OnboardingItem | None:
    return onboarding_list_for(person=person).filter(pk=pk).first()


def booking_history(*, bookings: list) -> dict[int, list[BookingEvent]]:
    """The history of each of the given bookings (all of one kind, already reached through the
    person), oldest first, keyed by booking id, each event with its `status_label`: one query for
    a whole page."""
    if not bookings:
        return {}
    model = type(bookings[0])
    events = BookingEvent.objects.filter(
        institution_id__in={booking.institution_id for booking in bookings},
        booking_type=model._meta.model_name,
        booking_id__in=[booking.pk for booking in bookings],
    ).select_related("actor")
    labels = dict(model.Status.choices)
    history: dict[int, list[BookingEvent]] = {}
    for event in events:
        event.status_label = labels.get(event.status, event.status)
        history.setdefault(event.booking_id, []).append(event)
    return history


def vendor_person_list() -> QuerySet[User]:
    """Trainers and engineers a booking can be given to."""
    return User.objects.with_role(*VENDOR_SIDE).filter(is_active=True).order_by("first_name", "username")


def institution_admin_addresses(*, institution: Institution) -> list[tuple[int, str]]:
    """(person id, e-mail) of the institution's active admins with an address."""
    return list(
        User.objects.for_institution(institution)
        .with_role(Role.INSTITUTION_ADMIN)
        .filter(is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    )


def booking_staff_addresses() -> list[tuple[int, str]]:
    """(person id, e-mail) of the vendor staff who take bookings."""
    return list(
        User.objects.with_role(Role.PACKAGE_MANAGER, Role.DESK_LEAD)
        .filter(is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    )


# Entries other apps put on the vendor calendar (the trainings of `learning`), registered by the
# composition layer: `source(start=…, end=…)` returns entries shaped like the ones built below.
_CALENDAR_SOURCES: list = []


def calendar_source_register(source) -> None:
    if source not in _CALENDAR_SOURCES:
        _CALENDAR_SOURCES.append(source)


def calendar_week_all_institutions(*, monday: datetime.date) -> dict:
    """The vendor's week: scheduled and held workshops, confirmed on-site days and scheduled
    onboarding items between Monday and Sunday, grouped per trainer or engineer. Crosses
    institutions because the vendor plans its people across all of them."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(monday, datetime.time.min, tzinfo=tz)
    end = start + datetime.timedelta(days=7)
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    day_keys = {day.isoformat() for day in days}
    entries: list[dict] = []
    for workshop in Workshop.objects.select_related("institution", "trainer").filter(
        status__in=[Workshop.Status.SCHEDULED, Workshop.Status.HELD], starts_at__gte=start, starts_at__lt=end
    ):
        entries.append(
            {
                "kind": "workshop",
                "person": workshop.trainer,
                "day": timezone.localtime(workshop.starts_at).date(),
                "at": workshop.starts_at,
                "title": workshop.topic,
                "institution": workshop.institution,
                "pk": workshop.pk,
            }
        )
    onsite = OnsiteRequest.objects.select_related("institution", "engineer").filter(
        status__in=[OnsiteRequest.Status.CONFIRMED, OnsiteRequest.Status.COMPLETED],
        starts_on__lte=days[-1],
        ends_on__gte=monday,
    )
    for visit in onsite:
        for day in visit.day_list:
            if day.isoformat() in day_keys:
                entries.append(
                    {
                        "kind": "onsite",
                        "person": visit.engineer,
                        "day": day,
                        "at": None,
                        "title": visit.purpose,
                        "institution": visit.institution,
                        "pk": visit.pk,
                    }
                )
    for item in OnboardingItem.objects.select_related("institution", "engineer", "product").filter(
        starts_at__gte=start, starts_at__lt=end
    ):
        entries.append(
            {
                "kind": "onboarding",
                "person": item.engineer,
                "day": timezone.localtime(item.starts_at).date(),
                "at": item.starts_at,
                "title": str(item),
                "institution": item.institution,
                "pk": item.pk,
            }
        )
    for source in _CALENDAR_SOURCES:
        entries.extend(source(start=start, end=end))
    people: dict = {}
    for entry in sorted(entries, key=lambda e: (e["day"], e["at"] or start)):
        key = entry["person"].pk if entry["person"] else 0
        row = people.setdefault(key, {"person": entry["person"], "days": {day: [] for day in days}})
        row["days"][entry["day"]].append(entry)
    return {
        "days": days,
        "rows": sorted(people.values(), key=lambda r: r["person"].username if r["person"] else ""),
    }


def _contact_requests_open():
    done = TicketMessage.objects.filter(
        ticket=OuterRef("ticket"), kind=OuterRef("kind"), created_at__gte=OuterRef("created_at")
    )
    return ContactRequest.objects.annotate(is_done=Exists(done))


def contact_request_list_for_ticket(*, ticket) -> QuerySet[ContactRequest]:
    """The ticket's call-back and remote-session requests, each with `is_done`."""
    return _contact_requests_open().filter(ticket=ticket).select_related("requested_by")


def contact_request_open_all_institutions(*, limit: int = 50) -> list[ContactRequest]:
    """Open requests of every institution, oldest first, for the desk's queue: the desk serves
    all institutions."""
    return list(
        _contact_requests_open()
        .filter(is_done=False)
        .select_related("ticket", "institution")
        .order_by("created_at", "id")[:limit]
    )


def contact_request_open_for_tickets_all_institutions(*, ticket_ids: list[int]) -> QuerySet[ContactRequest]:
    """The open requests on the given tickets, for the rows of the desk's queue, which crosses
    institutions because the desk serves them all."""
    return (
        _contact_requests_open()
        .filter(ticket_id__in=ticket_ids, is_done=False)
        .select_related("requested_by")
        .order_by("created_at", "id")
    )


def customer_get_all_institutions(*, username: str) -> User | None:
    """The customer the desk files for, by username: the desk serves every institution."""
    person = User.objects.filter(username=username, is_active=True, institution__isnull=False).first()
    return person if person is not None and person.is_customer_side else None
