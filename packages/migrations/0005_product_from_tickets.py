# The product list moves from tickets to packages, the catalogue it belongs with: first in Django's
# state only, on the table tickets created (no row is copied, no id changes); tickets forgets it in
# tickets/migrations/0012_product_to_packages.py, and 0006 renames the table.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("packages", "0004_quota_entry_reversal"),
        ("tickets", "0011_developer_group"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Product",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=120, verbose_name="name")),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                    ],
                    options={
                        "verbose_name": "product",
                        "verbose_name_plural": "products",
                        "ordering": ["name"],
                        "db_table": "tickets_product",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
