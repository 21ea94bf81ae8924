# The product list moved to packages (packages/migrations/0005_product_from_tickets.py): this
# app's foreign keys point there, in Django's state only; the column and its rows do not change.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("bookings", "0005_booking_machine"),
        ("packages", "0005_product_from_tickets"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="workshop",
                    name="product",
                    field=models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="packages.product",
                        verbose_name="product",
                    ),
                ),
                migrations.AlterField(
                    model_name="onboardingitem",
                    name="product",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="packages.product",
                        verbose_name="product",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
