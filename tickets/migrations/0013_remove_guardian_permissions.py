# django-guardian is removed: the share rows (TicketShare) decide who sees a ticket, and the
# per-ticket permission tables that mirrored a share with a named person were read nowhere (see
# docs/visibility.md for the measurement behind the choice). The two direct tables go, and so do
# guardian's own generic tables, its content types (with their permissions) and its migration
# records, which an installation that had guardian keeps otherwise.

from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder

GUARDIAN_TABLES = ("guardian_userobjectpermission", "guardian_groupobjectpermission")


def drop_guardian(apps, schema_editor):
    connection = schema_editor.connection
    existing = set(connection.introspection.table_names())
    for table in GUARDIAN_TABLES:
        if table in existing:
            schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(table)}")
    apps.get_model("contenttypes", "ContentType").objects.filter(app_label="guardian").delete()
    MigrationRecorder(connection).migration_qs.filter(app="guardian").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("tickets", "0012_product_to_packages"),
    ]

    operations = [
        # Guardian's tables cannot come back without guardian; undoing keeps the database as it is.
        migrations.RunPython(drop_guardian, migrations.RunPython.noop),
        migrations.DeleteModel(name="TicketGroupObjectPermission"),
        migrations.DeleteModel(name="TicketUserObjectPermission"),
    ]
