from django.db import migrations

# The rules an installation starts with; vendor staff change them in the admin.
DEFAULT_RULES = {
    # Closed tickets: the ten years of Turkish Commercial Code article 82 for business records.
    "ticket_texts": 3650,
    "attachments": 1825,
    # As the performance app's own purge (USAGE_EVENT_RETENTION_MONTHS, 13 months).
    "usage_events": 396,
    "audit_events": 3650,
}


def create_rules(apps, schema_editor):
    RetentionRule = apps.get_model("portal", "RetentionRule")
    for category, keep_days in DEFAULT_RULES.items():
        RetentionRule.objects.get_or_create(category=category, defaults={"keep_days": keep_days})


def grant_package_managers(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="package_manager")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="portal",
            codename__in=["view_retentionrule", "change_retentionrule", "view_destructionrecord"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("organizations", "0002_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_rules, migrations.RunPython.noop),
        migrations.RunPython(grant_package_managers, migrations.RunPython.noop),
    ]
