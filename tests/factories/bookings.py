"""Bookings made through the real services, so a test's workshop or visit is what a person makes."""

import datetime

from django.utils import timezone

from bookings import services
from packages.models import Product


def future_day(days: int = 10) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def future_time(days: int = 10, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(future_day(days), datetime.time(hour, 0)))


def product(code: str = "netcad") -> Product:
    found, _ = Product.objects.get_or_create(code=code, defaults={"name": code.title()})
    return found


def workshop_requested(admin, *, topic: str = "Netcad 8 ile parsel sorgulama", participants: int = 12):
    return services.workshop_request(
        actor=admin,
        topic=topic,
        product=product(),
        preferred_dates=[future_day(10), future_day(11)],
        participants=participants,
    )


def workshop_scheduled(admin, staff, trainer, *, starts_at=None):
    workshop = workshop_requested(admin)
    return services.workshop_schedule(
        actor=staff,
        workshop=workshop,
        starts_at=starts_at or future_time(10),
        trainer=trainer,
        meeting_url="https://meet.example.test/abc",
    )


def onsite_requested(admin, *, days: int = 2, first: int = 10):
    return services.onsite_request(
        actor=admin,
        dates=[future_day(first + i) for i in range(days)],
        address="Atatürk Bulvarı 1, Ankara",
        purpose="NetGIS kurulumu ve eğitim",
        contact_name="Ayşe Yılmaz",
        contact_phone="+90 312 000 00 00",
    )


def workshop_held(admin, staff, trainer, *, starts_at=None, attended: int = 0):
    """A workshop scheduled, then marked held two hours after its start (time travels there)."""
    import time_machine

    workshop = workshop_scheduled(admin, staff, trainer, starts_at=starts_at)
    with time_machine.travel(workshop.starts_at + datetime.timedelta(hours=2), tick=False):
        return services.workshop_mark_held(actor=staff, workshop=workshop, attended=attended)
