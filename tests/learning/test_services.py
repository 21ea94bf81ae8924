import datetime
import io
import threading

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import TestCase
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import outbox_drain
from learning.errors import RegistrationClosed
from learning.models import Download, Registration, Training
from learning.selectors import feed_get_by_token, waiting_position
from learning.services import (
    download_count,
    feed_get_or_create,
    feed_reset,
    training_attendance_import,
    training_attendance_record,
    training_recording_send,
    training_register,
    training_reminder_send,
    training_reminder_sweep,
    training_unregister,
    training_waitlist_promote,
)
from organizations.roles import Role
from packages.errors import NoActiveSubscription
from tests.factories import PersonFactory, SubscriptionFactory
from tests.factories.learning import TrainingFactory


def test_register_takes_a_place(customer, training):
    # when
    registration = training_register(actor=customer, training=training)
    # then
    assert registration.institution == customer.institution
    assert training.registrations.get().person == customer


def test_registering_twice_keeps_one_place(customer, training):
    # given
    first = training_register(actor=customer, training=training)
    # when
    second = training_register(actor=customer, training=training)
    # then
    assert second.pk == first.pk
    assert training.registrations.count() == 1


def test_full_session_puts_the_next_person_on_its_waiting_list(premium):
    # given
    training = TrainingFactory(capacity=1)
    training_register(actor=PersonFactory(institution=premium.institution), training=training)
    # when
    second = training_register(actor=PersonFactory(institution=premium.institution), training=training)
    third = training_register(actor=PersonFactory(institution=premium.institution), training=training)
    # then
    assert (second.is_waiting, third.is_waiting) == (True, True)
    assert (waiting_position(registration=second), waiting_position(registration=third)) == (1, 2)
    assert training.registrations.filter(is_waiting=False).count() == 1


def test_a_freed_seat_goes_to_the_first_waiting_with_an_email(premium, settings):
    # given: a one-place session, two waiting
    training = TrainingFactory(capacity=1, language="tr")
    people = [PersonFactory(institution=premium.institution) for _ in range(3)]
    for person in people:
        training_register(actor=person, training=training)
    mail.outbox.clear()
    # when
    with TestCase.captureOnCommitCallbacks(execute=True):
        training_unregister(actor=people[0], training=training)
    outbox_drain()
    # then
    seated = training.registrations.get(person=people[1])
    assert (seated.is_waiting, seated.promoted_at is not None) == (False, True)
    assert training.registrations.get(person=people[2]).is_waiting is True
    assert [m.to for m in mail.outbox] == [[people[1].email]]


def test_leaving_the_waiting_list_seats_nobody(premium):
    # given
    training = TrainingFactory(capacity=1)
    people = [PersonFactory(institution=premium.institution) for _ in range(3)]
    for person in people:
        training_register(actor=person, training=training)
    # when
    training_unregister(actor=people[1], training=training)
    # then
    assert list(training.registrations.values_list("person", "is_waiting")) == [
        (people[0].pk, False),
        (people[2].pk, True),
    ]


def test_published_recording_is_emailed_once_to_registered_and_waiting(premium):
    # given
    training = TrainingFactory(capacity=1)
    people = [PersonFactory(institution=premium.institution) for _ in range(2)]
    for person in people:
        training_register(actor=person, training=training)
    Training.objects.filter(pk=training.pk).update(recording_url="https://video.example.test/kayit")
    mail.outbox.clear()
    # when
    sent = training_recording_send(training_id=training.pk)
    again = training_recording_send(training_id=training.pk)
    outbox_drain()
    # then
    assert (sent, again) == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def test_started_session_refuses_registration(customer):
    # given
    training = TrainingFactory(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    # when / then
    with pytest.raises(RegistrationClosed):
        training_register(actor=customer, training=training)


def test_draft_session_refuses_registration(customer):
    # given
    training = TrainingFactory(is_published=False)
    # when / then
    with pytest.raises(RegistrationClosed):
        training_register(actor=customer, training=training)


def test_no_contract_refuses_registration(no_contract, training):
    # when / then
    with pytest.raises(NoActiveSubscription):
        training_register(actor=no_contract, training=training)
    assert training.registrations.count() == 0


def test_ended_contract_refuses_registration(ended_recently, training):
    # when / then
    with pytest.raises(NoActiveSubscription) as refused:
        training_register(actor=ended_recently, training=training)
    assert refused.value.ended_on is not None


def test_vendor_staff_do_not_register(manager, training):
    # when / then
    with pytest.raises(PermissionDenied):
        training_register(actor=manager, training=training)


def test_unregister_frees_the_place(premium):
    # given: a one-place session taken by someone who then gives it up
    training = TrainingFactory(capacity=1)
    first = PersonFactory(institution=premium.institution)
    training_register(actor=first, training=training)
    # when
    assert training_unregister(actor=first, training=training) is True
    # then
    second = PersonFactory(institution=premium.institution)
    assert training_register(actor=second, training=training).person == second


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_registrations_never_exceed_capacity(postgres):
    # given: three places and twelve people registering at the same moment on their own connections
    subscription = SubscriptionFactory(package_code="premium")
    training = TrainingFactory(capacity=3)
    people = [PersonFactory(institution=subscription.institution) for _ in range(12)]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def register(person) -> None:
        try:
            barrier.wait()
            training_register(actor=person, training=training)
            result = "ok"
        except RegistrationClosed:
            result = "closed"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    # when
    threads = [threading.Thread(target=register, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert connection.vendor == "postgresql"
    assert outcomes.count("ok") == 12
    assert training.registrations.filter(is_waiting=False).count() == 3
    assert training.registrations.filter(is_waiting=True).count() == 9
    assert Registration.objects.filter(training=training).count() == 12


def test_reminders_are_sent_once_each_24h_and_1h_before(customer):
    # given: a session starting at 10:00 tomorrow, and a registration
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)
    training = TrainingFactory(starts_at=start, title="Katman stilleri")
    training_register(actor=customer, training=training)
    # when: the sweep runs twice a day early, twice in the 24-hour window, twice in the last hour
    sent = []
    for moment in (
        start - datetime.timedelta(hours=30),
        start - datetime.timedelta(hours=23, minutes=59),
        start - datetime.timedelta(hours=23),
        start - datetime.timedelta(minutes=59),
        start - datetime.timedelta(minutes=30),
    ):
        for _twice in range(2):
            sent.append(training_reminder_sweep(now=moment))
    outbox_drain()
    # then
    assert sent == [0, 0, 1, 0, 0, 0, 1, 0, 0, 0]
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject.startswith("Eğitim hatırlatması: Katman stilleri, ")
    assert mail.outbox[1].subject == "Bir saat içinde başlıyor: Katman stilleri"
    assert mail.outbox[0].to == [customer.email]
    registration = training.registrations.get()
    assert registration.reminder_24h_sent_at is not None
    assert registration.reminder_1h_sent_at is not None


def test_registering_in_the_last_hour_gets_only_the_1h_reminder(customer):
    # given
    training = TrainingFactory(starts_at=timezone.now() + datetime.timedelta(minutes=40))
    registration = training_register(actor=customer, training=training)
    # when
    sent = training_reminder_sweep()
    # then
    assert sent == 1
    registration.refresh_from_db()
    assert registration.reminder_24h_sent_at is None
    assert registration.reminder_1h_sent_at is not None


def test_reminder_send_twice_sends_once(customer):
    # given
    training = TrainingFactory(starts_at=timezone.now() + datetime.timedelta(hours=5))
    registration = training_register(actor=customer, training=training)
    # when
    first = training_reminder_send(registration_id=registration.pk, kind="24h")
    second = training_reminder_send(registration_id=registration.pk, kind="24h")
    outbox_drain()
    # then
    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1


def test_failed_mail_is_retried_by_the_outbox_and_the_reminder_queued_once(customer, monkeypatch):
    # given: the mail server is down when the reminder goes
    from django.core.mail import EmailMessage

    training = TrainingFactory(starts_at=timezone.now() + datetime.timedelta(hours=5))
    registration = training_register(actor=customer, training=training)

    def refuse(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    # when
    queued = training_reminder_sweep()
    outbox_drain()
    again = training_reminder_sweep()
    # then: queued once, kept in the outbox for its next try
    registration.refresh_from_db()
    assert (queued, again) == (1, 0)
    assert registration.reminder_24h_sent_at is not None
    row = OutboxMessage.objects.get(cause=f"learning.reminder:{registration.pk}:24h")
    assert (row.status, row.attempts, row.recipient) == ("pending", 1, customer.email)


def test_attendance_ticks_registered_people(premium, manager):
    # given: two registered people of a session that has started
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3)):
        training = TrainingFactory(starts_at=timezone.now() + datetime.timedelta(days=1))
        came, missed = (PersonFactory(institution=premium.institution) for _ in range(2))
        training_register(actor=came, training=training)
        training_register(actor=missed, training=training)
    # when
    marked = training_attendance_record(actor=manager, training=training, person_ids=[came.pk])
    # then
    assert marked == 1
    attended = Registration.objects.filter(training=training, attended_at__isnull=False)
    assert list(attended.values_list("person", flat=True)) == [came.pk]


def test_attendance_before_the_start_is_refused(manager, training):
    # when / then
    with pytest.raises(ValidationError):
        training_attendance_record(actor=manager, training=training, person_ids=[])


def test_attendance_by_a_customer_is_refused(customer):
    # given
    training = TrainingFactory(starts_at=timezone.now() - datetime.timedelta(hours=2))
    # when / then
    with pytest.raises(PermissionDenied):
        training_attendance_record(actor=customer, training=training, person_ids=[customer.pk])


def test_attendance_csv_marks_people_by_address_and_reports_strangers(premium, manager):
    # given: a past session; one person registered, one joined without registering
    training = TrainingFactory(starts_at=timezone.now() - datetime.timedelta(hours=2))
    registered = PersonFactory(institution=premium.institution, email="ayse@belediye.test")
    walk_in = PersonFactory(institution=premium.institution, email="mehmet@belediye.test")
    Registration.objects.bulk_create(
        [Registration(training=training, person=registered, institution=premium.institution)]
    )
    csv_file = io.BytesIO(
        "Ad,E-posta\nAyşe,AYSE@belediye.test\nMehmet,mehmet@belediye.test\nX,nobody@x.test\n".encode()
    )
    upload = SimpleUploadedFile("katilimcilar.csv", csv_file.read())
    # when
    marked, unknown = training_attendance_import(actor=manager, training=training, upload=upload)
    # then
    assert marked == 2
    assert unknown == ["nobody@x.test"]
    assert set(training.registrations.filter(attended_at__isnull=False).values_list("person", flat=True)) == {
        registered.pk,
        walk_in.pk,
    }


def test_feed_reset_makes_the_old_address_stop_working(customer):
    # given
    old = feed_get_or_create(actor=customer).token
    # when
    new = feed_reset(actor=customer).token
    # then
    assert new != old
    assert feed_get_by_token(token=old) is None
    assert feed_get_by_token(token=new).person == customer


def test_downloads_are_counted_per_person_and_item(customer, document):
    # given
    colleague = PersonFactory(role=Role.CUSTOMER, institution=customer.institution)
    # when
    download_count(person=customer, item=document)
    download_count(person=customer, item=document)
    download_count(person=colleague, item=document)
    # then
    counts = dict(Download.objects.filter(item=document).values_list("person", "count"))
    assert counts == {customer.pk: 2, colleague.pk: 1}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_promotions_seat_exactly_one_of_ten_waiting(postgres):
    # given: a full two-place session, ten waiting, then one seat frees
    subscription = SubscriptionFactory(package_code="premium")
    training = TrainingFactory(capacity=2)
    people = [PersonFactory(institution=subscription.institution) for _ in range(12)]
    for person in people:
        training_register(actor=person, training=training)
    Registration.objects.filter(training=training, person=people[0]).delete()
    barrier = threading.Barrier(8)
    promoted: list[int] = []
    lock = threading.Lock()

    def promote() -> None:
        try:
            barrier.wait()
            seated = training_waitlist_promote(training_id=training.pk)
        finally:
            connections.close_all()
        with lock:
            promoted.extend(seated)

    # when: eight promotions at the same moment on their own connections
    threads = [threading.Thread(target=promote) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: exactly one, the first who waited
    assert connection.vendor == "postgresql"
    first_waiting = Registration.objects.get(training=training, person=people[2])
    assert promoted == [first_waiting.pk]
    assert Registration.objects.filter(training=training, is_waiting=False).count() == 2
    assert Registration.objects.filter(training=training, is_waiting=True).count() == 9
