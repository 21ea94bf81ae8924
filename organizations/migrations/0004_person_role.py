from django.db import migrations, models

# The roles in the order the group lookup this column replaces tried them: a person in two role
# groups keeps the first one here, as they did.
ROLES = [
    "customer",
    "unit_manager",
    "region_manager",
    "institution_admin",
    "support_engineer",
    "desk_lead",
    "package_manager",
]


def role_from_groups(apps, schema_editor):
    User = apps.get_model("organizations", "User")
    for role in ROLES:
        User.objects.filter(role__isnull=True, groups__name=role).update(role=role)


def groups_from_role(apps, schema_editor):
    User = apps.get_model("organizations", "User")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES):
        group.user_set.add(*User.objects.filter(role=group.name))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("organizations", "0003_monitoring_grant_one_active"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("customer", "Customer"),
                    ("unit_manager", "Unit manager"),
                    ("region_manager", "Region manager"),
                    ("institution_admin", "Institution admin"),
                    ("support_engineer", "Support engineer"),
                    ("desk_lead", "Desk lead"),
                    ("package_manager", "Package manager"),
                ],
                db_index=True,
                default=None,
                max_length=32,
                null=True,
                verbose_name="role",
            ),
        ),
        migrations.RunPython(role_from_groups, groups_from_role),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("institution__isnull", False),
                        ("role__in", ["customer", "institution_admin", "region_manager", "unit_manager"]),
                    ),
                    models.Q(
                        ("institution__isnull", True), ("role__in", ["desk_lead", "package_manager", "support_engineer"])
                    ),
                    ("role__isnull", True),
                    _connector="OR",
                ),
                name="person_role_matches_institution",
            ),
        ),
    ]
