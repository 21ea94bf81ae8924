# The product table takes packages' name once every foreign key points at packages.Product in
# Django's state; the rows and their ids stay, and PostgreSQL and SQLite carry the foreign keys of
# tickets, learning, bookings and reports over to the renamed table.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("packages", "0005_product_from_tickets"),
        ("tickets", "0012_product_to_packages"),
    ]

    operations = [migrations.AlterModelTable(name="product", table=None)]
