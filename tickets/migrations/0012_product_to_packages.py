# The product list now belongs to packages (packages/migrations/0005_product_from_tickets.py takes
# over the table); tickets points its foreign key there and forgets the model, in Django's state
# only, so the table, its rows and their ids stay. The other apps' foreign keys are re-pointed
# first, so no state ever refers to a model that is gone.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0011_developer_group"),
        ("packages", "0005_product_from_tickets"),
        ("bookings", "0006_product_in_packages"),
        ("learning", "0004_product_in_packages"),
        ("reports", "0004_product_in_packages"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="product",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="packages.product",
                        verbose_name="product",
                    ),
                ),
                migrations.AlterField(
                    model_name="developmentitem",
                    name="product",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="development_items",
                        to="packages.product",
                        verbose_name="product",
                    ),
                ),
                migrations.DeleteModel(name="Product"),
            ],
            database_operations=[],
        ),
    ]
