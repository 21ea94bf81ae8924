"""Writes of the learning services: registrations, attendance, recordings, reminders, calendar
feeds, library files and download counts."""

import csv
import datetime
import io
import logging
import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q, Value
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.outbox import outbox_enqueue, outbox_enqueue_many, outbox_message, recipient_language
from organizations.models import User
from organizations.permissions import is_customer_side, require_role
from organizations.roles import CUSTOMER_SIDE, Role
from packages.selectors import subscription_in_force

from .articles import suggestion_entry_refresh
from .errors import RegistrationClosed
from .extras import reminder_listeners_notify
from .models import CalendarFeed, Download, LibraryFile, LibraryItem, Registration, Training
from .selectors import SEARCH_CONFIG, search_stems
from .uploads import safe_file_name, upload_check

logger = logging.getLogger(__name__)


def _seats_taken(training: Training) -> int:
    return Registration.objects.filter(training=training, is_waiting=False).count()


def training_register(*, actor: User, training: Training) -> Registration:
    """Register the actor for a published session that has not started. Online trainings are
    unlimited in every package, so nobody is refused one: when every place is taken the actor
    joins the session's waiting list (`is_waiting`), first come, first served. The session's row
    is locked while places are counted, so concurrent registrations never exceed the capacity.
    Registering twice returns the existing registration (seated or waiting). Raises
    NoActiveSubscription (no contract in force) or RegistrationClosed."""
    if not is_customer_side(actor):
        raise PermissionDenied(_("Only people of a customer institution register for trainings."))
    subscription_in_force(institution=actor.institution)
    with transaction.atomic():
        locked = Training.objects.select_for_update().filter(pk=training.pk, is_published=True).first()
        if locked is None or locked.starts_at <= timezone.now():
            raise RegistrationClosed()
        existing = Registration.objects.filter(training=locked, person=actor).first()
        if existing is not None:
            return existing
        is_full = locked.capacity is not None and _seats_taken(locked) >= locked.capacity
        registration = Registration(
            training=locked, person=actor, institution=actor.institution, is_waiting=is_full
        )
        registration.full_clean(validate_constraints=False)
        registration.save()
    logger.info(
        "learning.registered", extra={"training": training.pk, "person": actor.pk, "waiting": is_full}
    )
    return registration


def training_unregister(*, actor: User, training: Training) -> bool:
    """Give up the actor's place (or place on the waiting list) before the start; False when there
    was none. A seat given up goes to the first person waiting, in the same transaction. Harmless
    twice."""
    if training.starts_at <= timezone.now():
        raise RegistrationClosed()
    with transaction.atomic():
        Training.objects.select_for_update().filter(pk=training.pk).first()
        deleted, _rows = Registration.objects.filter(training=training, person=actor).delete()
        if deleted:
            training_waitlist_promote(training_id=training.pk)
    return bool(deleted)


def training_waitlist_promote(*, training_id: int) -> list[int]:
    """Give the free seats of a session that has not started to the people waiting longest, and
    e-mail each of them after commit. The session's row is locked while seats are counted and
    each promotion is a guarded update of a waiting row, so concurrent calls never seat more
    people than the capacity nor anyone twice; running it again with no free seat does nothing.
    Returns the ids of the registrations given a seat."""
    now = timezone.now()
    with transaction.atomic():
        training = Training.objects.select_for_update().filter(pk=training_id, starts_at__gt=now).first()
        if training is None:
            return []
        waiting = Registration.objects.filter(training=training, is_waiting=True).order_by("created_at", "pk")
        if training.capacity is not None:
            free = training.capacity - _seats_taken(training)
            if free <= 0:
                return []
            waiting = waiting[:free]
        promoted = [
            pk
            for pk in waiting.values_list("pk", flat=True)
            if Registration.objects.filter(pk=pk, is_waiting=True).update(is_waiting=False, promoted_at=now)
            == 1
        ]
        for pk in promoted:
            transaction.on_commit(lambda pk=pk: training_promotion_send(registration_id=pk))
    if promoted:
        logger.info("learning.waitlist_promoted", extra={"training": training_id, "count": len(promoted)})
    return promoted


def _training_values(training: Training) -> dict:
    return {
        "title": training.title,
        "starts": formats.date_format(timezone.localtime(training.starts_at), "DATETIME_FORMAT"),
        "link": settings.SITE_URL.rstrip("/") + reverse("learning-training", args=[training.pk]),
    }


def _training_mail(training: Training, *, person_id: int, subject: str, body: str) -> dict:
    """The subject, body and language of an e-mail about a session, in the person's language:
    `subject` and `body` are lazy texts taking the session's title, start and link."""
    language = recipient_language(person_id)
    with translation.override(language):
        values = _training_values(training)
        return {"subject": str(subject) % values, "body": str(body) % values, "language": language}


def training_promotion_send(*, registration_id: int) -> bool:
    """E-mail a person given a seat from the waiting list; False when the registration is gone."""
    registration = (
        Registration.objects.filter(pk=registration_id, is_waiting=False)
        .select_related("training", "person")
        .first()
    )
    if registration is None or not registration.person.email:
        return False
    outbox_enqueue(
        cause=f"learning.promotion:{registration.pk}",
        recipient=registration.person.email,
        **_training_mail(
            registration.training,
            person_id=registration.person_id,
            subject=gettext_lazy("A place is yours: %(title)s"),
            body=gettext_lazy(
                "A place freed up in the online training “%(title)s” at %(starts)s (Istanbul time), and it is "
                "yours: you are registered. The meeting link appears on the session's page an hour before the "
                "start: %(link)s"
            ),
        ),
    )
    return True


def training_recording_send(*, training_id: int) -> int:
    """E-mail the recording of a session to everyone registered or waiting for it, once: the
    guarded update of `recording_sent_at` lets one call send it. Returns how many were e-mailed
    (0 when there is no recording yet or it was sent already)."""
    now = timezone.now()
    with transaction.atomic():
        training = Training.objects.filter(pk=training_id, is_published=True).first()
        if training is None or not training.has_recording:
            return 0
        if (
            Training.objects.filter(pk=training_id, recording_sent_at__isnull=True).update(
                recording_sent_at=now
            )
            != 1
        ):
            return 0
        people = sorted(
            set(
                Registration.objects.filter(training=training)
                .exclude(person__email="")
                .values_list("person_id", "person__email")
            ),
            key=lambda pair: pair[1],
        )
        messages = [
            outbox_message(
                cause=f"learning.recording:{training.pk}",
                recipient=address,
                **_training_mail(
                    training,
                    person_id=person_id,
                    subject=gettext_lazy("Recording available: %(title)s"),
                    body=gettext_lazy(
                        "The recording of the online training “%(title)s” is on the session's page: %(link)s"
                    ),
                ),
            )
            for person_id, address in people
        ]
        addresses = outbox_enqueue_many(messages=messages)
    logger.info("learning.recording_sent", extra={"training": training_id, "count": addresses})
    return addresses


def training_attendance_record(*, actor: User, training: Training, person_ids: list[int]) -> int:
    """Mark the given registered people as attended and the others of the session as not; returns
    how many are marked. Package managers only, once the session has started."""
    require_role(actor, Role.PACKAGE_MANAGER)
    if training.starts_at > timezone.now():
        raise ValidationError(_("Attendance can be recorded once the session has started."))
    now = timezone.now()
    with transaction.atomic():
        registrations = Registration.objects.filter(training=training)
        registrations.exclude(person_id__in=person_ids).update(attended_at=None)
        registrations.filter(person_id__in=person_ids, attended_at__isnull=True).update(attended_at=now)
        return registrations.filter(attended_at__isnull=False).count()


def training_attendance_import(
    *, actor: User, training: Training, upload: UploadedFile
) -> tuple[int, list[str]]:
    """Mark attended the people whose e-mail address appears in a CSV exported by the meeting
    tool (any column; a header row is fine). Customer-side people who joined without registering
    get a registration marked attended. Returns how many were marked and the addresses matching
    nobody. Package managers only; importing the same file twice changes nothing more."""
    require_role(actor, Role.PACKAGE_MANAGER)
    if training.starts_at > timezone.now():
        raise ValidationError(_("Attendance can be recorded once the session has started."))
    try:
        text = upload.read(5 * 1024 * 1024).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The attendance file must be a CSV file in UTF-8.")) from exc
    addresses = {cell.strip().lower() for row in csv.reader(io.StringIO(text)) for cell in row if "@" in cell}
    if not addresses:
        return 0, []
    match = Q()
    for address in addresses:
        match |= Q(email__iexact=address)
    people = list(
        User.objects.filter(match, is_active=True, institution__isnull=False, role__in=list(CUSTOMER_SIDE))
    )
    now = timezone.now()
    with transaction.atomic():
        for person in people:
            Registration.objects.get_or_create(
                training=training, person=person, defaults={"institution_id": person.institution_id}
            )
        marked = Registration.objects.filter(
            training=training, person__in=people, attended_at__isnull=True
        ).update(attended_at=now)
    found = {p.email.lower() for p in people}
    logger.info("learning.attendance_imported", extra={"training": training.pk, "marked": marked})
    return len(people), sorted(addresses - found)


def training_recording_check(upload: UploadedFile) -> str:
    """Validate an uploaded recording; returns its content type."""
    return upload_check(upload, video_only=True)


# --- reminders -------------------------------------------------------------------------------------

REMINDERS = {
    # kind: (column, how long before the start it is due)
    "24h": ("reminder_24h_sent_at", datetime.timedelta(hours=24)),
    "1h": ("reminder_1h_sent_at", datetime.timedelta(hours=1)),
}


def _reminder_due(kind: str, now: datetime.datetime) -> Q:
    column, before = REMINDERS[kind]
    due = Q(
        **{f"{column}__isnull": True},
        is_waiting=False,
        training__is_published=True,
        training__starts_at__gt=now,
    )
    due &= Q(training__starts_at__lte=now + before)
    if kind == "24h":
        # Inside the last hour only the 1-hour reminder goes out, never both at once.
        due &= Q(training__starts_at__gt=now + REMINDERS["1h"][1])
    return due


def training_reminder_send(*, registration_id: int, kind: str, now: datetime.datetime | None = None) -> bool:
    """E-mail one reminder that is due and not sent yet (and tell the registered listeners: the
    push to the person's devices), and set its column in the same transaction. The row is locked while sending and the column is set by a guarded update, so
    concurrent or repeated calls queue it once; False when it is not due, gone or already sent.
    The e-mail is a row of the outbox, written in the same transaction and sent after commit."""
    now = now or timezone.now()
    column, _before = REMINDERS[kind]
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(_reminder_due(kind, now), pk=registration_id)
            .select_related("training", "person")
            .first()
        )
        if registration is None or not registration.person.email:
            return False
        if (
            Registration.objects.filter(pk=registration_id, **{f"{column}__isnull": True}).update(
                **{column: now}
            )
            != 1
        ):
            return False
        mail = _training_mail(
            registration.training,
            person_id=registration.person_id,
            subject=(
                gettext_lazy("Training reminder: %(title)s, %(starts)s")
                if kind == "24h"
                else gettext_lazy("Starting within the hour: %(title)s")
            ),
            body=gettext_lazy(
                "You registered for the online training “%(title)s”, which starts at %(starts)s "
                "(Istanbul time). The meeting link appears on the session's page an hour before the start: "
                "%(link)s"
            ),
        )
        reminder_listeners_notify(registration=registration, kind=kind)
        outbox_enqueue(
            cause=f"learning.reminder:{registration.pk}:{kind}", recipient=registration.person.email, **mail
        )
    logger.info("learning.reminder_sent", extra={"registration": registration_id, "kind": kind})
    return True


def training_reminder_sweep(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Queue the reminders that are due: the registration columns record which went to the outbox."""
    now = now or timezone.now()
    sent = 0
    for kind in REMINDERS:
        due = list(
            Registration.objects.filter(_reminder_due(kind, now))
            .order_by("training__starts_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        sent += sum(1 for pk in due if training_reminder_send(registration_id=pk, kind=kind, now=now))
    return sent


# --- calendar feeds --------------------------------------------------------------------------------


def feed_get_or_create(*, actor: User) -> CalendarFeed:
    """The actor's feed, created with a fresh token on first use. Harmless twice."""
    feed, _created = CalendarFeed.objects.get_or_create(
        person=actor, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


def feed_reset(*, actor: User) -> CalendarFeed:
    """Give the actor's feed a new token: the old address stops working at once."""
    feed = feed_get_or_create(actor=actor)
    feed.token = secrets.token_urlsafe(32)
    feed.save(update_fields=["token", "created_at"])
    logger.info("learning.feed_reset", extra={"person": actor.pk})
    return feed


# --- the library -----------------------------------------------------------------------------------


def library_item_index(*, item: LibraryItem) -> None:
    """Refresh the item's full-text vector (PostgreSQL; other databases search by substring): each
    field's words and their fixed-point stems (see selectors.search_stems), title first. The
    item's suggestion entry follows it (learning.articles.suggestion_entry_refresh)."""
    suggestion_entry_refresh(item=item)
    if connection.vendor != "postgresql":
        return
    vector = None
    for name, weight in (("title", "A"), ("tags", "B"), ("description", "C")):
        text = getattr(item, name).replace(",", " ")
        part = SearchVector(Value(f"{text} {search_stems(text)}"), weight=weight, config=SEARCH_CONFIG)
        vector = part if vector is None else vector + part
    LibraryItem.objects.filter(pk=item.pk).update(search_vector=vector)


def library_file_add(*, actor: User | None, item: LibraryItem, upload: UploadedFile) -> LibraryFile:
    """Store a checked upload with the item. A file of the same name becomes its next version and
    the earlier ones stay listed. Raises ValidationError for a refused file."""
    content_type = upload_check(upload)
    name = safe_file_name(upload.name)
    upload.name = name
    for _attempt in range(3):
        try:
            with transaction.atomic():
                latest = (
                    LibraryFile.objects.filter(item=item, name=name).aggregate(v=Max("version"))["v"] or 0
                )
                library_file = LibraryFile(
                    item=item,
                    name=name,
                    version=latest + 1,
                    file=upload,
                    content_type=content_type,
                    size=upload.size,
                    uploaded_by=actor,
                )
                library_file.save()
                return library_file
        except IntegrityError:
            # Someone uploaded the same name at the same moment: take the next number.
            continue
    raise ValidationError(_("The file could not be stored; please try again."))


def download_count(*, person: User, item: LibraryItem) -> None:
    """Add one to the person's download count of the item (one row per person and item)."""
    now = timezone.now()
    rows = Download.objects.filter(item=item, person=person)
    if rows.update(count=F("count") + 1, last_at=now):
        return
    try:
        with transaction.atomic():
            Download.objects.create(
                item=item, person=person, institution_id=person.institution_id, count=1, last_at=now
            )
    except IntegrityError:
        rows.update(count=F("count") + 1, last_at=now)
