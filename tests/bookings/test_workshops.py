import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.db.models import F

from bookings import services
from bookings.models import BookingEvent, Workshop
from organizations.permissions import FeatureLocked
from organizations.roles import Role
from packages.errors import QuotaExhausted
from packages.models import Allotment, QuotaEntry
from packages.selectors import quota_ledger_used
from tests.factories import PersonFactory
from tests.factories.bookings import (
    future_day,
    future_time,
    workshop_held,
    workshop_requested,
    workshop_scheduled,
)


def _workshops(subscription) -> Allotment:
    return Allotment.objects.get(subscription=subscription, channel="workshops")


def test_request_draws_nothing_until_scheduled(admin, premium):
    # when
    workshop = workshop_requested(admin)
    # then
    assert workshop.status == Workshop.Status.REQUESTED
    assert _workshops(premium).used == 0
    assert workshop.preferred_dates == [future_day(10).isoformat(), future_day(11).isoformat()]


def test_request_needs_two_or_three_future_dates(admin):
    # when / then
    with pytest.raises(ValidationError) as error:
        services.workshop_request(
            actor=admin, topic="GIS", product=None, preferred_dates=[future_day(3)], participants=5
        )
    assert "preferred_dates" in error.value.message_dict


def test_request_refused_with_renewal_date_when_quota_is_used_up(admin, premium):
    # given
    Allotment.objects.filter(subscription=premium, channel="workshops").update(used=F("allotment"))
    # when
    with pytest.raises(QuotaExhausted) as error:
        workshop_requested(admin)
    # then
    assert error.value.renews_on == premium.renews_on
    assert Workshop.objects.count() == 0


def test_request_on_standard_is_locked_naming_the_packages_that_include_it(standard_admin, catalogue):
    # when
    with pytest.raises(FeatureLocked) as error:
        workshop_requested(standard_admin)
    # then
    assert sorted(error.value.packages) == sorted([catalogue["premium"].name, catalogue["premium_plus"].name])


def test_a_customer_who_is_not_the_admin_cannot_request(premium):
    # given
    customer = PersonFactory(role=Role.CUSTOMER, institution=premium.institution)
    # when / then
    with pytest.raises(PermissionDenied):
        workshop_requested(customer)


def test_schedule_draws_one_unit_as_a_ledger_entry(admin, staff, trainer, premium):
    # when
    workshop = workshop_scheduled(admin, staff, trainer)
    # then
    assert workshop.status == Workshop.Status.SCHEDULED
    assert workshop.ends_at - workshop.starts_at == datetime.timedelta(hours=2)
    assert _workshops(premium).used == 1
    entry = QuotaEntry.objects.get(reference_type="workshop", reference_id=str(workshop.pk))
    assert (entry.channel, entry.units, entry.reverses_id) == ("workshops", 1, None)


def test_trainer_is_never_booked_twice_for_overlapping_times(admin, staff, trainer):
    # given: a workshop from 10:00 to 12:00
    workshop_scheduled(admin, staff, trainer, starts_at=future_time(10, hour=10))
    other = workshop_requested(admin)
    # when: another from 11:00
    with pytest.raises(ValidationError) as error:
        services.workshop_schedule(
            actor=staff,
            workshop=other,
            starts_at=future_time(10, hour=11),
            trainer=trainer,
            meeting_url="https://m.test/x",
        )
    # then
    assert "trainer" in error.value.message_dict
    other.refresh_from_db()
    assert other.status == Workshop.Status.REQUESTED


def test_trainer_may_give_back_to_back_workshops(admin, staff, trainer):
    # given
    workshop_scheduled(admin, staff, trainer, starts_at=future_time(10, hour=10))
    # when
    second = workshop_scheduled(admin, staff, trainer, starts_at=future_time(10, hour=12))
    # then
    assert second.status == Workshop.Status.SCHEDULED


def test_decline_keeps_the_reason_and_draws_nothing(admin, staff, premium):
    # given
    workshop = workshop_requested(admin)
    # when
    workshop = services.workshop_decline(actor=staff, workshop=workshop, reason="Eğitmen yok")
    # then
    assert (workshop.status, workshop.decline_reason) == (Workshop.Status.DECLINED, "Eğitmen yok")
    assert _workshops(premium).used == 0


def test_institution_cancelling_more_than_48_hours_before_gets_the_unit_back(admin, staff, trainer, premium):
    # given
    workshop = workshop_scheduled(admin, staff, trainer)
    # when: one minute before the 48-hour mark
    with time_machine.travel(workshop.starts_at - datetime.timedelta(hours=48, minutes=1), tick=False):
        workshop = services.workshop_cancel(actor=admin, workshop=workshop)
    # then
    assert workshop.is_unit_returned is True
    assert _workshops(premium).used == 0
    assert QuotaEntry.objects.filter(reference_id=str(workshop.pk)).count() == 2


def test_institution_cancelling_at_48_hours_or_later_keeps_the_unit_used(admin, staff, trainer, premium):
    # given
    workshop = workshop_scheduled(admin, staff, trainer)
    # when: exactly 48 hours before the start
    with time_machine.travel(workshop.starts_at - datetime.timedelta(hours=48), tick=False):
        workshop = services.workshop_cancel(actor=admin, workshop=workshop)
    # then
    assert workshop.is_unit_returned is False
    assert _workshops(premium).used == 1
    assert QuotaEntry.objects.filter(reference_id=str(workshop.pk)).count() == 1


def test_vendor_cancelling_always_gives_the_unit_back(admin, staff, trainer, premium):
    # given
    workshop = workshop_scheduled(admin, staff, trainer)
    # when: an hour before the start
    with time_machine.travel(workshop.starts_at - datetime.timedelta(hours=1), tick=False):
        workshop = services.workshop_cancel(actor=staff, workshop=workshop)
    # then
    assert workshop.is_unit_returned is True
    assert _workshops(premium).used == 0


def test_cancelling_twice_is_refused_and_gives_back_once(admin, staff, trainer, premium):
    # given
    workshop = workshop_scheduled(admin, staff, trainer)
    services.workshop_cancel(actor=staff, workshop=workshop)
    # when / then
    with pytest.raises(ValidationError) as error:
        services.workshop_cancel(actor=staff, workshop=workshop)
    assert error.value.code == "invalid_transition"
    assert _workshops(premium).used == 0
    assert QuotaEntry.objects.filter(reference_id=str(workshop.pk), reverses__isnull=False).count() == 1


def test_held_workshop_keeps_the_unit_and_records_participants(admin, staff, trainer, premium):
    # given
    workshop = workshop_scheduled(admin, staff, trainer)
    # when
    with time_machine.travel(workshop.starts_at + datetime.timedelta(hours=2), tick=False):
        workshop = services.workshop_mark_held(actor=staff, workshop=workshop, attended=9)
    # then
    assert (workshop.status, workshop.attended) == (Workshop.Status.HELD, 9)
    assert _workshops(premium).used == 1


def test_recording_participants_names_them_and_sets_the_head_count(admin, staff, trainer):
    # given: held with a head count of 9
    workshop = workshop_held(admin, staff, trainer, attended=9)
    ayse, mehmet = PersonFactory(institution=admin.institution), PersonFactory(institution=admin.institution)
    # when
    workshop = services.workshop_participants_record(
        actor=staff, workshop=workshop, people=[ayse.pk, mehmet.pk]
    )
    # then
    assert set(workshop.attendees.all()) == {ayse, mehmet}
    assert workshop.attended == 2
    notes = BookingEvent.objects.filter(
        booking_type="workshop", booking_id=workshop.pk, status="held"
    ).values_list("note", flat=True)
    assert [note for note in notes if note.endswith(": 2")] != []


def test_recording_participants_again_replaces_the_list(admin, staff, trainer):
    # given
    workshop = workshop_held(admin, staff, trainer)
    ayse, mehmet = PersonFactory(institution=admin.institution), PersonFactory(institution=admin.institution)
    services.workshop_participants_record(actor=staff, workshop=workshop, people=[ayse.pk, mehmet.pk])
    # when
    workshop = services.workshop_participants_record(actor=staff, workshop=workshop, people=[mehmet.pk])
    # then
    assert list(workshop.attendees.all()) == [mehmet] and workshop.attended == 1


def test_participants_are_people_of_the_workshops_institution_only(admin, staff, trainer, stranger_admin):
    # given
    workshop = workshop_held(admin, staff, trainer, attended=3)
    ayse = PersonFactory(institution=admin.institution)
    # when
    with pytest.raises(ValidationError) as error:
        services.workshop_participants_record(
            actor=staff, workshop=workshop, people=[ayse.pk, stranger_admin.pk]
        )
    # then
    assert "people" in error.value.message_dict
    workshop.refresh_from_db()
    assert (workshop.attendees.count(), workshop.attended) == (0, 3)


def test_participants_are_recorded_once_the_workshop_is_held(admin, staff, trainer):
    # given
    workshop = workshop_scheduled(admin, staff, trainer)
    # when
    with pytest.raises(ValidationError) as error:
        services.workshop_participants_record(
            actor=staff, workshop=workshop, people=[PersonFactory(institution=admin.institution).pk]
        )
    # then
    assert error.value.code == "invalid_transition"


def test_only_booking_staff_record_participants(admin, staff, trainer):
    # given
    workshop = workshop_held(admin, staff, trainer)
    # when / then
    with pytest.raises(PermissionDenied):
        services.workshop_participants_record(actor=admin, workshop=workshop, people=[admin.pk])


def test_ledger_entries_sum_to_the_used_figure(admin, staff, trainer, premium):
    # given: three scheduled, one given back by the vendor, one cancelled late
    first = workshop_scheduled(admin, staff, trainer, starts_at=future_time(10, hour=9))
    second = workshop_scheduled(admin, staff, trainer, starts_at=future_time(10, hour=12))
    third = workshop_scheduled(admin, staff, trainer, starts_at=future_time(10, hour=15))
    services.workshop_cancel(actor=staff, workshop=first)
    with time_machine.travel(second.starts_at - datetime.timedelta(hours=2), tick=False):
        services.workshop_cancel(actor=admin, workshop=second)
    # when
    allotment = _workshops(premium)
    # then
    assert third.status == Workshop.Status.SCHEDULED
    assert quota_ledger_used(subscription=premium, channel="workshops") == allotment.used == 2
    assert allotment.remaining == 12 - 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_scheduling_of_the_last_unit_lets_exactly_one_win(postgres, admin, staff, premium):
    # given: one workshop unit left and two requests with different trainers
    Allotment.objects.filter(subscription=premium, channel="workshops").update(used=F("allotment") - 1)
    requests = [workshop_requested(admin), workshop_requested(admin)]
    trainers = [PersonFactory(role=Role.SUPPORT_ENGINEER), PersonFactory(role=Role.SUPPORT_ENGINEER)]
    outcomes = _race(
        [
            lambda i=i: services.workshop_schedule(
                actor=staff,
                workshop=requests[i],
                starts_at=future_time(12),
                trainer=trainers[i],
                meeting_url="https://m.test",
            )
            for i in range(2)
        ]
    )
    # then
    assert connection.vendor == "postgresql"
    assert sorted(outcomes) == ["QuotaExhausted", "ok"]
    assert _workshops(premium).remaining == 0
    assert Workshop.objects.filter(status=Workshop.Status.SCHEDULED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_scheduling_of_one_trainer_for_one_slot_lets_exactly_one_win(
    postgres, admin, staff, trainer, premium
):
    # given
    requests = [workshop_requested(admin) for _ in range(4)]
    # when: four schedulings of the same trainer, 30 minutes apart, all overlapping the first
    outcomes = _race(
        [
            lambda i=i: services.workshop_schedule(
                actor=staff,
                workshop=requests[i],
                starts_at=future_time(12) + datetime.timedelta(minutes=30 * i),
                trainer=trainer,
                meeting_url="https://m.test",
            )
            for i in range(4)
        ]
    )
    # then: every two of the slots overlap, so one scheduling wins and draws the only unit used
    assert sorted(outcomes) == ["ValidationError"] * 3 + ["ok"]
    assert Workshop.objects.filter(status=Workshop.Status.SCHEDULED).count() == 1
    assert _workshops(premium).used == 1


def _race(calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait()
            call()
            result = "ok"
        except (QuotaExhausted, ValidationError) as error:
            result = type(error).__name__
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
