"""The four packages of the seed table (docs/seed/netcad-sla-packages.tr.txt)."""

import datetime

from django.db import migrations

UNLIMITED = "unlimited"
PER_DAY = "per_day"
NOT_OFFERED = "not_offered"

CATALOGUE = [
    {
        "code": "standard",
        "name": "Standart SLA Paketi",
        "family": "silver",
        "users": (3, 3),
        "priority": 4,
        "first_response_minutes": 120,
        "channels": {
            "written": (20, 20),
            "phone": (20, 20),
            "remote": (20, 20),
            "onsite_days": PER_DAY,
            "workshops": NOT_OFFERED,
        },
        "has_performance_tracking": False,
        "has_region_management": False,
    },
    {
        "code": "professional",
        "name": "Profesyonel SLA Paketi",
        "family": "silver",
        "users": (5, 5),
        "priority": 3,
        "first_response_minutes": 90,
        "channels": {
            "written": (125, 125),
            "phone": (100, 100),
            "remote": (75, 75),
            "onsite_days": PER_DAY,
            "workshops": NOT_OFFERED,
        },
        "has_performance_tracking": False,
        "has_region_management": False,
    },
    {
        "code": "premium",
        "name": "Premium SLA Paketi",
        "family": "gold",
        "users": (6, 500),
        "priority": 2,
        "first_response_minutes": 60,
        "channels": {
            "written": (1000, 5000),
            "phone": (1000, 5000),
            "remote": (1000, 5000),
            "onsite_days": (2, 12),
            "workshops": (12, 90),
        },
        "has_performance_tracking": True,
        "has_region_management": True,
    },
    {
        "code": "premium_plus",
        "name": "Premium + SLA Paketi",
        "family": "gold",
        "users": (500, None),
        "priority": 1,
        "first_response_minutes": 30,
        "channels": {
            "written": UNLIMITED,
            "phone": UNLIMITED,
            "remote": UNLIMITED,
            "onsite_days": (24, 24),
            "workshops": (180, 180),
        },
        "has_performance_tracking": True,
        "has_region_management": True,
    },
]


def load_catalogue(apps, schema_editor):
    Package = apps.get_model("packages", "Package")
    PackageChannel = apps.get_model("packages", "PackageChannel")
    for row in CATALOGUE:
        package, _ = Package.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "family": row["family"],
                "users_min": row["users"][0],
                "users_max": row["users"][1],
                "priority": row["priority"],
                "first_response_minutes": row["first_response_minutes"],
                "service_window_start": datetime.time(8, 0),
                "service_window_end": datetime.time(0, 0),
                "service_timezone": "Europe/Istanbul",
                "has_onboarding": True,
                "has_online_service": True,
                "has_mobile_apps": True,
                "has_development_participation": True,
                "has_satisfaction_tracking": True,
                "has_performance_tracking": row["has_performance_tracking"],
                "has_region_management": row["has_region_management"],
                "has_unlimited_online_training": True,
                "has_help_documents": True,
                "has_project_documents": True,
            },
        )
        for channel, term in row["channels"].items():
            if term == UNLIMITED:
                values = {"pricing": "included", "minimum": None, "maximum": None, "is_unlimited": True}
            elif term in (PER_DAY, NOT_OFFERED):
                values = {"pricing": term, "minimum": None, "maximum": None, "is_unlimited": False}
            else:
                values = {"pricing": "included", "minimum": term[0], "maximum": term[1], "is_unlimited": False}
            PackageChannel.objects.update_or_create(package=package, channel=channel, defaults=values)


def unload_catalogue(apps, schema_editor):
    apps.get_model("packages", "Package").objects.filter(code__in=[row["code"] for row in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("packages", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, unload_catalogue)]
