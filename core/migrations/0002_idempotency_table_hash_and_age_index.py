from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
        ("tickets", "0003_idempotency_record_to_core"),
    ]

    operations = [
        # Renames tickets_idempotencyrecord to core_idempotencyrecord with its rows.
        migrations.AlterModelTable(name="idempotencyrecord", table=None),
        # Records kept from before the body was fingerprinted match any body, as they did.
        migrations.AddField(
            model_name="idempotencyrecord",
            name="request_hash",
            field=models.CharField(blank=True, help_text="SHA-256 of the request's content.", max_length=64),
        ),
        migrations.AddIndex(
            model_name="idempotencyrecord",
            index=models.Index(fields=["created_at"], name="idempotency_created"),
        ),
    ]
