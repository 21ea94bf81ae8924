import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from bookings import services
from bookings.models import OnboardingItem
from tests.factories.bookings import future_time, product
from tickets.models import OutboxMessage
from tickets.services.outbox import outbox_drain


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
    assert OutboxMessage.objects.filter(kind="email", processed_at__isnull=False).count() == 2
    assert [m.to for m in mail.outbox] == [[admin.email], [admin.email]]
