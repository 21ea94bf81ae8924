from django.db import migrations

# One group per role, with the model permissions the role works with in the admin and the API.
ROLE_PERMISSIONS = {
    "customer": [],
    "unit_manager": [],
    "region_manager": [],
    "institution_admin": [
        ("organizations", "region", ["view", "add", "change"]),
        ("organizations", "unit", ["view", "add", "change"]),
        ("organizations", "user", ["view", "add", "change"]),
        ("organizations", "monitoringgrant", ["view", "add", "change"]),
    ],
    "support_engineer": [],
    "desk_lead": [],
    "package_manager": [
        ("packages", "package", ["view", "add", "change"]),
        ("packages", "packagechannel", ["view", "add", "change", "delete"]),
        ("packages", "subscription", ["view", "add", "change"]),
        ("packages", "allotment", ["view", "change"]),
        ("packages", "quotaentry", ["view"]),
        ("organizations", "institution", ["view", "add", "change"]),
    ],
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, model, actions in grants:
            codenames = [f"{action}_{model}" for action in actions]
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0001_initial"),
        ("packages", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
