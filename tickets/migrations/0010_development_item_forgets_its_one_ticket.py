"""The development item's old one-ticket link and institution go, in a migration of their own: on
PostgreSQL the previous one's data changes leave deferred constraint checks pending until its
transaction ends, and a table with pending checks cannot be altered in the same transaction."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0009_development_item_stands_alone")]

    operations = [
        migrations.RemoveField(model_name="developmentitem", name="ticket"),
        migrations.RemoveField(model_name="developmentitem", name="institution"),
        migrations.AddIndex(
            model_name="developmentitem",
            index=models.Index(fields=["product", "state"], name="development_item_product_state"),
        ),
    ]
