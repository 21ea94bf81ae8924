from django.db import migrations

# Vendor staff who sell and set up contracts (package managers) set up institutions' directories.
GRANTS = [
    ("directory", ["view", "add", "change"]),
    ("directorymapping", ["view", "add", "change", "delete"]),
    ("directoryaccount", ["view"]),
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("organizations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="package_manager")
    codenames = [f"{action}_{model}" for model, actions in GRANTS for action in actions]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="organizations", codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model, actions in GRANTS for action in actions]
    for group in Group.objects.filter(name="package_manager"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="organizations", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0009_directory"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
