"""Demo data: vendor staff, one institution per package with its contract, people and tree; with
--history, a contract year so far of activity (portal/demo_history.py). Running it again changes
nothing that is already there."""

import time

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
from portal.demo_history import history_seed

PASSWORD = "demo-pass-2026"

VENDOR = [
    ("staff", Role.PACKAGE_MANAGER, {"is_superuser": True, "is_staff": True}),
    ("lead", Role.DESK_LEAD, {}),
    ("engineer1", Role.SUPPORT_ENGINEER, {}),
    ("engineer2", Role.SUPPORT_ENGINEER, {}),
    ("developer", Role.DEVELOPER, {}),
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

# Regions and their units on Premium and Premium+; the people of the first unit of each region
# and the managers are those of the README. Names of earlier demo databases are renamed.
TREE = {
    "Merkez Bölge": ("İmar Birimi", "Harita Birimi"),
    "Kuzey Bölge": ("Emlak Birimi", "Fen İşleri Birimi"),
}
OLD_NAMES = {"Region 1": "Merkez Bölge", "Region 2": "Kuzey Bölge"}
OLD_UNIT_NAMES = {
    ("Region 1", "Unit 1"): "İmar Birimi",
    ("Region 1", "Unit 2"): "Harita Birimi",
    ("Region 2", "Unit 1"): "Emlak Birimi",
    ("Region 2", "Unit 2"): "Fen İşleri Birimi",
}
# Months of the demo contracts already run: the history fills them.
CONTRACT_MONTHS_RUN = 4

PRODUCTS = [
    ("netcad", "Netcad"),
    ("netgis", "NetGIS Server"),
    ("netigma", "Netigma"),
    ("netcad-architect", "Netcad Architect"),
]


class Command(BaseCommand):
    help = (
        "Create the demo people, institutions and contracts (password: demo-pass-2026); --history adds "
        "the contract year so far of tickets, workshops, trainings and usage. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--history",
            action="store_true",
            help="also replay the contract year so far for each demo institution that has no tickets yet",
        )

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
        if options["history"]:
            started = time.monotonic()
            made = history_seed()
            for name, counts in made.items():
                self.stdout.write(
                    f"  {name}: " + ", ".join(f"{key} {value}" for key, value in counts.items())
                )
            self.stdout.write(f"History made in {time.monotonic() - started:.1f} s")
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
            first = timezone.localdate().replace(day=1)
            month = first.year * 12 + first.month - 1 - CONTRACT_MONTHS_RUN
            subscription_sell(
                actor=None,
                institution=institution,
                package=package,
                starts_on=first.replace(year=month // 12, month=month % 12 + 1),
                user_cap=cap,
                figures=figures,
            )
        self._person(f"{slug}-admin", Role.INSTITUTION_ADMIN, institution=institution)
        if not package.has_region_management:
            self._person(f"{slug}-user1", Role.CUSTOMER, institution=institution)
            self._person(f"{slug}-user2", Role.CUSTOMER, institution=institution)
            return
        for (old_region, old_unit), new_unit in OLD_UNIT_NAMES.items():
            Unit.objects.filter(institution=institution, region__name=old_region, name=old_unit).update(
                name=new_unit
            )
        for old, new in OLD_NAMES.items():
            Region.objects.filter(institution=institution, name=old).update(name=new)
        units = {}
        for region_name, unit_names in TREE.items():
            region, _ = Region.objects.get_or_create(institution=institution, name=region_name)
            for unit_name in unit_names:
                units[region_name, unit_name], _ = Unit.objects.get_or_create(
                    institution=institution, region=region, name=unit_name
                )
        r1u1, r1u2 = units["Merkez Bölge", "İmar Birimi"], units["Merkez Bölge", "Harita Birimi"]
        r2u1, r2u2 = units["Kuzey Bölge", "Emlak Birimi"], units["Kuzey Bölge", "Fen İşleri Birimi"]
        self._person(f"{slug}-user1", Role.CUSTOMER, institution=institution, region=r1u1.region, unit=r1u1)
        self._person(f"{slug}-user2", Role.CUSTOMER, institution=institution, region=r2u1.region, unit=r2u1)
        self._person(f"{slug}-user3", Role.CUSTOMER, institution=institution, region=r1u2.region, unit=r1u2)
        self._person(f"{slug}-user4", Role.CUSTOMER, institution=institution, region=r2u2.region, unit=r2u2)
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
