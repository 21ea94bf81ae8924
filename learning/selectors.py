"""Reads of the learning services. Sessions and library items are the vendor's and shared by every
subscriber, so they are scoped by the person's access rather than by institution; registrations
and download counts are tenant-owned and read through the person."""

import datetime

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from organizations.models import User

from .access import LearningAccess
from .models import CalendarFeed, Deflection, LibraryFile, LibraryItem, Registration, Training

SEARCH_CONFIG = "turkish"


def search_stems(text: str) -> str:
    """The text's words stemmed by the turkish configuration until the stems stop changing.
    PostgreSQL's Turkish snowball stemmer takes one suffix layer per pass (`belediyeler` →
    `belediye` → `beledi`), so a word and its inflected form meet only at the fixed point; the
    library indexes these stems and searches with them. PostgreSQL only."""
    current = text
    for _round in range(5):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT array_to_string(tsvector_to_array(to_tsvector(%s::regconfig, %s)), ' ')",
                [SEARCH_CONFIG, current],
            )
            stems = cursor.fetchone()[0]
        if stems == current:
            break
        current = stems
    return current


def training_list_for(
    *,
    access: LearningAccess,
    product_id: int | None = None,
    when: str | None = None,
    starts_from: datetime.datetime | None = None,
    starts_before: datetime.datetime | None = None,
) -> QuerySet[Training]:
    """The sessions the person may see, with `registered_count` (seats taken), `waiting_count`
    (the waiting list), and `is_registered` / `is_waiting` for the person.
    `when` is "upcoming" (not ended yet) or "past" (ended). An ended contract sees past sessions only."""
    now = timezone.now()
    qs = Training.objects.select_related("product").annotate(
        registered_count=Count("registrations", filter=Q(registrations__is_waiting=False), distinct=True),
        waiting_count=Count("registrations", filter=Q(registrations__is_waiting=True), distinct=True),
        is_registered=Exists(
            Registration.objects.filter(training=OuterRef("pk"), person=access.person, is_waiting=False)
        ),
        is_waiting=Exists(
            Registration.objects.filter(training=OuterRef("pk"), person=access.person, is_waiting=True)
        ),
    )
    if not access.is_vendor:
        qs = qs.filter(is_published=True)
    if access.past_only:
        qs = qs.filter(ends_at__lte=now)
    if product_id:
        qs = qs.filter(product_id=product_id)
    if when == "upcoming":
        qs = qs.filter(ends_at__gt=now)
    elif when == "past":
        qs = qs.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    if starts_from is not None:
        qs = qs.filter(starts_at__gte=starts_from)
    if starts_before is not None:
        qs = qs.filter(starts_at__lt=starts_before)
    return qs


# The meeting link is shown to registered people from this long before the start.
MEETING_LINK_BEFORE = datetime.timedelta(hours=1)


def training_meeting_url_for(*, access: LearningAccess, training: Training) -> str:
    """The online meeting link if the person may see it now: vendor staff always, registered
    people from an hour before the start until the end; otherwise an empty string."""
    if not training.meeting_url:
        return ""
    if access.is_vendor:
        return training.meeting_url
    now = timezone.now()
    if (
        getattr(training, "is_registered", False)
        and training.starts_at - MEETING_LINK_BEFORE <= now < training.ends_at
    ):
        return training.meeting_url
    return ""


def waiting_position(*, registration: Registration) -> int:
    """The registration's place in its session's waiting list, 1 for the next to be given a seat."""
    return Registration.objects.filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lte=registration.pk),
        training_id=registration.training_id,
        is_waiting=True,
    ).count()


def waiting_position_for(*, training: Training, person: User) -> int | None:
    """The person's place in the session's waiting list, or None when not waiting."""
    registration = Registration.objects.filter(training=training, person=person, is_waiting=True).first()
    return None if registration is None else waiting_position(registration=registration)


def training_get_for(*, access: LearningAccess, pk: int) -> Training | None:
    return training_list_for(access=access).filter(pk=pk).first()


def training_get_all_institutions(*, pk: int) -> Training | None:
    # Vendor staff and the reminder sweep work on sessions whoever registered for them.
    return Training.objects.select_related("product").filter(pk=pk).first()


def registration_list_for_training_all_institutions(*, training: Training) -> QuerySet[Registration]:
    # Vendor staff record attendance for everyone registered, whatever their institution.
    return training.registrations.select_related("person", "institution").order_by(
        "institution__name", "person__last_name", "person__first_name", "person__username"
    )


def training_list_registered(*, person: User) -> QuerySet[Training]:
    """The published sessions the person registered for: their calendar feed."""
    return (
        Training.objects.published()
        .filter(registrations__person=person, registrations__is_waiting=False)
        .order_by("starts_at")
    )


def training_calendar_entries(*, start: datetime.datetime, end: datetime.datetime) -> list[dict]:
    """Published sessions starting in [start, end), as entries of the vendor's week calendar.
    Sessions belong to no institution and name no trainer, so they sit on the unassigned row."""
    return [
        {
            "kind": "training",
            "person": None,
            "day": timezone.localtime(training.starts_at).date(),
            "at": training.starts_at,
            "title": training.title,
            "institution": None,
            "pk": training.pk,
        }
        for training in Training.objects.published()
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at")
    ]


def trainings_attended_by_group(
    *, institution, people, group_field: str, start: datetime.date, end: datetime.date
) -> dict:
    """Sessions attended in the period, per value of the person's `group_field` (pk, unit_id or
    region_id), counting only `people`: the figure personnel performance tracking shows. One
    grouped query."""
    key = f"person__{group_field}"
    rows = (
        Registration.objects.for_institution(institution)
        .filter(
            person__in=people,
            attended_at__isnull=False,
            training__starts_at__date__gte=start,
            training__starts_at__date__lte=end,
        )
        .values(key)
        .annotate(attended=Count("id"))
        .order_by()
    )
    return {row[key]: row["attended"] for row in rows}


def feed_get_by_token(*, token: str) -> CalendarFeed | None:
    if not token:
        return None
    return CalendarFeed.objects.select_related("person").filter(token=token, person__is_active=True).first()


def feed_get(*, person: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(person=person).first()


def product_list_in_use():
    """The products some session or item is about, for the filters."""
    product_model = Training._meta.get_field("product").related_model
    return product_model.objects.filter(
        Q(pk__in=Training.objects.values("product_id")) | Q(pk__in=LibraryItem.objects.values("product_id"))
    ).order_by("name")


def library_item_list_for(
    *, access: LearningAccess, search: str = "", kind: str = "", product_id: int | None = None
) -> QuerySet[LibraryItem]:
    """Items the person may read, newest first, with their files. The search is PostgreSQL
    full-text search in the turkish configuration (so inflected forms match their stem); other
    databases fall back to a plain substring match."""
    files = LibraryFile.objects.order_by("name", "-version")
    qs = (
        LibraryItem.objects.select_related("product")
        .prefetch_related(Prefetch("files", queryset=files))
        .filter(kind__in=access.library_kinds)
        .order_by("-created_at", "-id")
    )
    if not access.is_vendor:
        qs = qs.filter(is_published=True)
    if kind:
        qs = qs.filter(kind=kind)
    if product_id:
        qs = qs.filter(product_id=product_id)
    search = search.strip()
    if search:
        if connection.vendor == "postgresql":
            stems = search_stems(search)
            if not stems:
                return qs.none()
            qs = qs.filter(search_vector=SearchQuery(stems, config=SEARCH_CONFIG))
        else:
            qs = qs.filter(
                Q(title__icontains=search) | Q(description__icontains=search) | Q(tags__icontains=search)
            )
    return qs


def library_item_get_for(*, access: LearningAccess, pk: int) -> LibraryItem | None:
    return library_item_list_for(access=access).filter(pk=pk).first()


def library_file_for_download(*, item: LibraryItem, file_id: int | None = None) -> LibraryFile | None:
    """The file asked for, or the newest version of the item's first file."""
    files = sorted(item.files.all(), key=lambda f: (f.name, -f.version))
    if file_id is not None:
        return next((f for f in files if f.pk == file_id), None)
    return files[0] if files else None


def library_file_versions(*, item: LibraryItem) -> list[dict]:
    """The item's files grouped by name: the current version and the previous ones."""
    groups: dict[str, list[LibraryFile]] = {}
    for file in sorted(item.files.all(), key=lambda f: (f.name, -f.version)):
        groups.setdefault(file.name, []).append(file)
    return [
        {"name": name, "current": versions[0], "previous": versions[1:]} for name, versions in groups.items()
    ]


def article_list_for_desk() -> QuerySet[LibraryItem]:
    """Every solution article, drafts included, newest first: the desk reviews and publishes them."""
    return (
        LibraryItem.objects.select_related("product")
        .filter(kind=LibraryItem.Kind.SOLUTION)
        .order_by("-created_at", "-id")
    )


def article_get_for_desk(*, pk: int) -> LibraryItem | None:
    return article_list_for_desk().filter(pk=pk).first()


def product_by_code(*, code: str):
    product_model = LibraryItem._meta.get_field("product").related_model
    return product_model.objects.filter(code=code).first()


def deflection_counts_by_month(
    *, institution_id: int | None, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> dict[datetime.date, int]:
    """Deflections (questions answered by a suggestion, no ticket filed) per month of the local
    calendar in [starts_at, ends_at), for one institution; `institution_id=None` counts every
    institution, for the vendor's report. One grouped query."""
    rows = Deflection.objects.filter(created_at__gte=starts_at, created_at__lt=ends_at)
    if institution_id is not None:
        rows = rows.for_institution(institution_id)
    counted = rows.annotate(month=TruncMonth("created_at")).values("month").annotate(n=Count("id")).order_by()
    return {_month_day(row["month"]): row["n"] for row in counted}


def _month_day(month) -> datetime.date:
    return month.date() if isinstance(month, datetime.datetime) else month
