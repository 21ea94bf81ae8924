import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from bookings import services
from bookings.models import OnboardingItem
from core.models import OutboxMessage
from core.outbox import outbox_drain
from tests.factories.bookings import future_time, product


def test_recorded_purchase_is_scheduled_and_completed(admin, staff, trainer):
    # given
    item = services.onboarding_record(
        actor=staff,
        institution=admin.institution,
        product=product(),
        version="2026",
        purchased_on=datetime.date(2026, 11, 2),
    )
    # when
    item = services.onboarding_schedule(actor=staff, item=item, starts_at=future_time(3), engineer=trainer)
    with time_machine.travel(item.starts_at + datetime.timedelta(hours=2), tick=False):
        item = services.onboarding_complete(actor=staff, item=item, note="Kurulum yapıldı")
    # then
    assert (item.status, item.engineer, item.note) == (
        OnboardingItem.Status.COMPLETED,
        trainer,
        "Kurulum yapıldı",
    )


def test_only_booking_staff_record_purchases(admin):
    # when / then
    with pytest.raises(PermissionDenied):
        services.onboarding_record(
            actor=admin,
            institution=admin.institution,
            product=product(),
            version="1",
            purchased_on=datetime.date(2026, 1, 1),
        )


def test_each_change_of_state_mails_the_institution_admins_once_through_the_outbox(
    admin, staff, trainer, settings
):
    # given
    settings.CELERY_TASK_ALWAYS_EAGER = False
    item = services.onboarding_record(
        actor=staff,
        institution=admin.institution,
        product=product(),
        version="2026",
        purchased_on=datetime.date(2026, 11, 2),
    )
    services.onboarding_schedule(actor=staff, item=item, starts_at=future_time(3), engineer=trainer)
    mail.outbox.clear()
    # when
    outbox_drain()
    outbox_drain()
    # then
    assert OutboxMessage.objects.filter(status="sent").count() == 2
    assert [m.to for m in mail.outbox] == [[admin.email], [admin.email]]


def test_each_admin_reads_the_booking_mail_in_their_own_language(admin, staff, trainer):
    # given: the institution's admin reads English, another Turkish
    from notifications.models import NotificationProfile
    from organizations.roles import Role
    from tests.factories import PersonFactory

    NotificationProfile.objects.create(person=admin, language="en")
    turkish = PersonFactory(institution=admin.institution, role=Role.INSTITUTION_ADMIN)
    item = services.onboarding_record(
        actor=staff,
        institution=admin.institution,
        product=product(),
        version="2026",
        purchased_on=datetime.date(2026, 11, 2),
    )
    mail.outbox.clear()
    # when
    services.onboarding_schedule(actor=staff, item=item, starts_at=future_time(3), engineer=trainer)
    outbox_drain()
    # then
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[admin.email].startswith("Onboarding scheduled: ")
    assert not subjects[turkish.email].startswith("Onboarding scheduled: ")
    assert OutboxMessage.objects.get(recipient=admin.email, subject=subjects[admin.email]).language == "en"


def _scheduled_item(admin, staff, trainer):
    item = services.onboarding_record(
        actor=staff,
        institution=admin.institution,
        product=product(),
        version="2026",
        purchased_on=datetime.date(2026, 11, 2),
    )
    return services.onboarding_schedule(actor=staff, item=item, starts_at=future_time(3), engineer=trainer)


def test_onboarding_cannot_be_completed_before_it_starts(admin, staff, trainer):
    # given
    item = _scheduled_item(admin, staff, trainer)
    # when
    with (
        time_machine.travel(item.starts_at - datetime.timedelta(minutes=1), tick=False),
        pytest.raises(ValidationError) as error,
    ):
        services.onboarding_complete(actor=staff, item=item, note="erken")
    # then
    assert "completed_at" in error.value.message_dict
    item.refresh_from_db()
    assert (item.status, item.completed_at) == (OnboardingItem.Status.SCHEDULED, None)


def test_onboarding_records_the_actual_completion_time(admin, staff, trainer):
    # given
    item = _scheduled_item(admin, staff, trainer)
    finished = item.starts_at + datetime.timedelta(hours=3)
    # when: recorded the next morning, with the time it actually ended
    with time_machine.travel(item.starts_at + datetime.timedelta(hours=20), tick=False):
        item = services.onboarding_complete(actor=staff, item=item, completed_at=finished)
    # then
    item.refresh_from_db()
    assert (item.status, item.completed_at) == (OnboardingItem.Status.COMPLETED, finished)


def test_onboarding_completion_time_cannot_precede_the_start(admin, staff, trainer):
    # given
    item = _scheduled_item(admin, staff, trainer)
    # when
    with (
        time_machine.travel(item.starts_at + datetime.timedelta(hours=2), tick=False),
        pytest.raises(ValidationError) as error,
    ):
        services.onboarding_complete(
            actor=staff, item=item, completed_at=item.starts_at - datetime.timedelta(minutes=5)
        )
    # then
    assert "completed_at" in error.value.message_dict


def test_onboarding_completed_without_a_time_records_now(admin, staff, trainer):
    # given
    item = _scheduled_item(admin, staff, trainer)
    moment = item.starts_at + datetime.timedelta(hours=1)
    # when
    with time_machine.travel(moment, tick=False):
        item = services.onboarding_complete(actor=staff, item=item)
    # then
    assert item.completed_at == moment
