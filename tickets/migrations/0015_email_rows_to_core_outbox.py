"""E-mail leaves the tickets outbox for the one outbox of core: every e-mail row still pending
becomes one core row per address (its cause the old row, so running this twice adds nothing),
keeping its attempts and its next try; the processed ones are history and are dropped with it.
The tickets table keeps routing only."""

from django.db import migrations, models

EMAIL = "email"
BATCH = 1000


def email_rows_to_core(apps, schema_editor):
    TicketsOutbox = apps.get_model("tickets", "OutboxMessage")
    CoreOutbox = apps.get_model("core", "OutboxMessage")
    pending = TicketsOutbox.objects.filter(kind=EMAIL, processed_at__isnull=True).order_by("pk")
    rows = []
    for message in pending.iterator(chunk_size=BATCH):
        payload = message.payload or {}
        for address in sorted({a for a in payload.get("to", []) if a}):
            rows.append(
                CoreOutbox(
                    channel="email",
                    cause=f"tickets.outbox:{message.pk}",
                    recipient=address,
                    language="",
                    subject=payload.get("subject", ""),
                    body=payload.get("body", ""),
                    status="pending",
                    attempts=message.attempts,
                    last_error=message.last_error,
                    next_attempt_at=message.available_at,
                    created_at=message.created_at,
                )
            )
        if len(rows) >= BATCH:
            CoreOutbox.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    CoreOutbox.objects.bulk_create(rows, ignore_conflicts=True)
    TicketsOutbox.objects.filter(kind=EMAIL).delete()


def core_rows_back(apps, schema_editor):
    TicketsOutbox = apps.get_model("tickets", "OutboxMessage")
    CoreOutbox = apps.get_model("core", "OutboxMessage")
    TicketsOutbox.objects.bulk_create(
        [
            TicketsOutbox(
                kind=EMAIL,
                payload={"subject": row.subject, "body": row.body, "to": [row.recipient]},
                attempts=row.attempts,
                last_error=row.last_error,
                available_at=row.next_attempt_at,
            )
            for row in CoreOutbox.objects.filter(channel="email", status="pending", renderer="").iterator()
        ],
        batch_size=BATCH,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0014_forecast_alert"),
        ("core", "0003_outbox"),
    ]

    operations = [
        migrations.RunPython(email_rows_to_core, core_rows_back),
        migrations.AlterField(
            model_name="outboxmessage",
            name="kind",
            field=models.CharField(
                choices=[("route", "Route a new ticket")], max_length=20, verbose_name="kind"
            ),
        ),
    ]
