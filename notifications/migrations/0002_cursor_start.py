from django.db import migrations
from django.db.models import Max


def start_at_present(apps, schema_editor):
    """An existing installation starts notifying from now on, not for its whole history."""
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    FanoutCursor = apps.get_model("notifications", "FanoutCursor")
    last = TicketEvent.objects.aggregate(last=Max("id"))["last"] or 0
    FanoutCursor.objects.update_or_create(name="ticket-events", defaults={"last_event_id": last})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(start_at_present, migrations.RunPython.noop)]
