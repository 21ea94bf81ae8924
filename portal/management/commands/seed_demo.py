"""Demo data: vendor staff, one institution per package with its contract, people and tree.
Running it again changes nothing that is already there."""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from bookings.demo import seed_bookings
from learning.demo import learning_demo_seed
from organizations.models import Institution, Region, Unit, User
from organizations.roles import Role
from organizations.services import monitoring_grant_give, person_groups_sync
from packages.models import Package, Product
from packages.selectors import subscription_get_active
from packages.services import subscription_sell
from performance.demo import performance_demo_seed

PASSWORD = "demo-pass-2026"

VENDOR = [
    ("staff", Role.PACKAGE_MANAGER, {"is_superuser": True, "is_staff": True}),
    ("lead", Role.DESK_LEAD, {}),
    ("engineer1", Role.SUPPORT_ENGINEER, {}),
    ("engineer2", Role.SUPPORT_ENGINEER, {}),
]

INSTITUTIONS = [
    # slug, name, package code, user cap, figures
    ("standard", "Standart Belediyesi", "standard", None, {}),
    ("professional", "Profesyonel Mühendislik A.Ş.", "professional", None, {}),
    (
        "premium",
        "Premium Büyükşehir Belediyesi",
        "premium",
        50,
        {"written": 1000, "phone": 1000, "remote": 1000, "onsite_days": 6, "workshops": 12},
    ),
    ("premiumplus", "Premium Plus Genel Müdürlüğü", "premium_plus", 1000, {}),
]

PRODUCTS = [
    ("netcad", "Netcad"),
    ("netgis", "NetGIS Server"),
    ("netigma", "Netigma"),
    ("netcad-architect", "Netcad Architect"),
]


class Command(BaseCommand):
    help = "Create the demo people, institutions and contracts (password: demo-pass-2026). Safe to run again."

    def handle(self, *args, **options):
        with transaction.atomic():
            for code, name in PRODUCTS:
                Product.objects.get_or_create(code=code, defaults={"name": name})
            for username, role, extra in VENDOR:
                self._person(username, role, institution=None, **extra)
            for slug, name, package_code, cap, figures in INSTITUTIONS:
                self._institution(slug, name, Package.objects.get(code=package_code), cap, figures)
        learning_demo_seed()
        seed_bookings()
        performance_demo_seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data is ready; every demo login uses the password {PASSWORD}")
        )

    def _person(self, username, role, *, institution, region=None, unit=None, **extra) -> User:
        person, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "institution": institution,
                "region": region,
                "unit": unit,
                "email": f"{username}@demo.local",
                **extra,
            },
        )
        if created:
            person.set_password(PASSWORD)
            person.save(update_fields=["password"])
            person_groups_sync(person=person)
        return person

    def _institution(self, slug, name, package, cap, figures):
        institution, _ = Institution.objects.get_or_create(slug=slug, defaults={"name": name})
        if subscription_get_active(institution=institution) is None:
            today = timezone.localdate()
            subscription_sell(
                actor=None,
                institution=institution,
                package=package,
                starts_on=today.replace(day=1) - datetime.timedelta(days=30),
                user_cap=cap,
                figures=figures,
            )
        self._person(f"{slug}-admin", Role.INSTITUTION_ADMIN, institution=institution)
        if not package.has_region_management:
            self._person(f"{slug}-user1", Role.CUSTOMER, institution=institution)
            self._person(f"{slug}-user2", Role.CUSTOMER, institution=institution)
            return
        units = {}
        for region_name in ("Region 1", "Region 2"):
            region, _ = Region.objects.get_or_create(institution=institution, name=region_name)
            for unit_name in ("Unit 1", "Unit 2"):
                units[region_name, unit_name], _ = Unit.objects.get_or_create(
                    institution=institution, region=region, name=unit_name
                )
        r1u1, r2u1 = units["Region 1", "Unit 1"], units["Region 2", "Unit 1"]
        self._person(f"{slug}-user1", Role.CUSTOMER, institution=institution, region=r1u1.region, unit=r1u1)
        self._person(f"{slug}-user2", Role.CUSTOMER, institution=institution, region=r2u1.region, unit=r2u1)
        unit_manager = self._person(
            f"{slug}-unit", Role.UNIT_MANAGER, institution=institution, region=r1u1.region, unit=r1u1
        )
        region_manager = self._person(
            f"{slug}-region", Role.REGION_MANAGER, institution=institution, region=r1u1.region
        )
        admin = User.objects.get(username=f"{slug}-admin")
        # Through the service, as the admin would: it returns the active grant on a second run.
        for manager in (unit_manager, region_manager):
            monitoring_grant_give(actor=admin, person=manager)
