"""The developer role's Django group: the development items in the admin."""

from django.db import migrations


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="developer")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="tickets",
            codename__in=["view_developmentitem", "change_developmentitem"],
        )
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="developer").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_development_item_forgets_its_one_ticket"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
