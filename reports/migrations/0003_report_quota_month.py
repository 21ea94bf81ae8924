from django.conf import settings
from django.db import migrations, models

# A ledger entry's month in the service time zone, as reports.figures reads it (TruncMonth).
MONTH = "(date_trunc('month', {row}.consumed_at AT TIME ZONE '{zone}'))::date"
SIGNED = "(CASE WHEN {row}.reverses_id IS NULL THEN {row}.units ELSE -{row}.units END)"


def _create(zone: str) -> str:
    old_month, new_month = MONTH.format(row="OLD", zone=zone), MONTH.format(row="NEW", zone=zone)
    return f"""
CREATE OR REPLACE FUNCTION reports_quota_entry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE reports_reportquotamonth SET units = units - {SIGNED.format(row="OLD")}, entries = entries - 1
        WHERE subscription_id = OLD.subscription_id AND institution_id = OLD.institution_id
          AND channel = OLD.channel AND month = {old_month};
        DELETE FROM reports_reportquotamonth
        WHERE subscription_id = OLD.subscription_id AND institution_id = OLD.institution_id
          AND channel = OLD.channel AND month = {old_month} AND entries = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO reports_reportquotamonth AS m (subscription_id, institution_id, channel, month, units, entries)
        VALUES (NEW.subscription_id, NEW.institution_id, NEW.channel, {new_month}, {SIGNED.format(row="NEW")}, 1)
        ON CONFLICT (subscription_id, institution_id, channel, month)
        DO UPDATE SET units = m.units + EXCLUDED.units, entries = m.entries + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER reports_quota_entry_changed AFTER INSERT OR UPDATE OR DELETE ON packages_quotaentry
    FOR EACH ROW EXECUTE FUNCTION reports_quota_entry_changed();
INSERT INTO reports_reportquotamonth (subscription_id, institution_id, channel, month, units, entries)
SELECT subscription_id, institution_id, channel, {MONTH.format(row="e", zone=zone)}, SUM({SIGNED.format(row="e")}), COUNT(*)
FROM packages_quotaentry e GROUP BY 1, 2, 3, 4;
"""


DROP = """
DROP TRIGGER IF EXISTS reports_quota_entry_changed ON packages_quotaentry;
DROP FUNCTION IF EXISTS reports_quota_entry_changed();
"""


def _forward(apps, schema_editor):
    # PostgreSQL's, as the day roll-up; elsewhere the report sums the ledger itself.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_create(settings.TIME_ZONE))


def _backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("packages", "0004_quota_entry_reversal"),
        ("reports", "0002_report_day"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportQuotaMonth",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("subscription_id", models.BigIntegerField()),
                ("institution_id", models.BigIntegerField()),
                ("channel", models.CharField(max_length=20)),
                ("month", models.DateField()),
                ("units", models.BigIntegerField(default=0)),
                ("entries", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("subscription_id", "institution_id", "channel", "month"),
                        name="report_quota_month_once",
                    )
                ],
            },
        ),
        migrations.RunPython(_forward, _backward),
    ]
