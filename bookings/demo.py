"""Demo bookings on the demo institutions: two workshop requests and an on-site request for
Premium waiting for vendor staff, a quoted on-site request for Standard, an onboarding item for
each. Nothing is drawn from a quota, so the demo contracts start full. Made through the
services, as people would; running it again adds nothing once they exist."""

import datetime
from decimal import Decimal

from django.utils import timezone

from organizations.models import Institution, User
from packages.models import Product

from . import services
from .models import OnboardingItem, Workshop


def seed_bookings() -> None:
    premium = Institution.objects.filter(slug="premium").first()
    standard = Institution.objects.filter(slug="standard").first()
    staff = User.objects.filter(username="staff").first()
    trainer = User.objects.filter(username="engineer1").first()
    product = Product.objects.filter(code="netcad").first()
    if not (premium and standard and staff and trainer and product):
        return
    if Workshop.objects.for_institution(premium).exists():
        return
    admin = User.objects.get(username="premium-admin")
    standard_admin = User.objects.get(username="standard-admin")
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    services.workshop_request(
        actor=admin,
        topic="Netcad 8 ile imar planı sorgulama",
        product=product,
        preferred_dates=[today + 7 * day, today + 8 * day],
        participants=15,
    )
    services.workshop_request(
        actor=admin,
        topic="NetGIS Server yetkilendirme",
        product=product,
        preferred_dates=[today + 3 * day, today + 4 * day, today + 5 * day],
        participants=8,
    )
    services.onsite_request(
        actor=admin,
        dates=[today + 14 * day, today + 15 * day],
        address="Atatürk Bulvarı 1, Çankaya, Ankara",
        purpose="Netigma kurulumu ve kullanıcı eğitimi",
        contact_name="Ayşe Yılmaz",
        contact_phone="+90 312 000 00 00",
    )
    quoted = services.onsite_request(
        actor=standard_admin,
        dates=[today + 10 * day],
        address="Cumhuriyet Meydanı 3, Konak, İzmir",
        purpose="Veri aktarımı desteği",
        contact_name="Mehmet Öztürk",
        contact_phone="+90 232 000 00 00",
    )
    services.onsite_quote(
        actor=staff, visit=quoted, day_rate=Decimal("12500.00"), valid_until=today + 14 * day
    )
    for institution in (premium, standard):
        services.onboarding_record(
            actor=staff,
            institution=institution,
            product=product,
            version="2026",
            purchased_on=today - 5 * day,
            kind=OnboardingItem.Kind.PURCHASE,
        )
