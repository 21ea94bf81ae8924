from django.conf import settings
from django.db import migrations, models

# A ledger entry's month in the service time zone, as reports.figures reads it (TruncMonth).
MONTH = "(date_trunc('month', {row}.consumed_at AT TIME ZONE '{zone}'))::date"
SIGNED = "(CASE WHEN {row}.reverses_id IS NULL THEN {row}.units ELSE -{row}.units END)"


def _create(zone: str) -> str:
    keys = "subscription_id, institution_id, channel, month"
    sums = (
        f"SELECT r.subscription_id, r.institution_id, r.channel, {MONTH.format(row='r', zone=zone)} AS month, "
        f"SUM({SIGNED.format(row='r')}) AS units, COUNT(*) AS entries FROM {{rows}} r GROUP BY 1, 2, 3, 4"
    )
    add = f"""
        INSERT INTO reports_reportquotamonth AS m ({keys}, units, entries)
        SELECT * FROM ({sums.format(rows="new_rows")}) AS s ORDER BY 1, 2, 3, 4
        ON CONFLICT ({keys}) DO UPDATE SET units = m.units + EXCLUDED.units, entries = m.entries + EXCLUDED.entries;"""
    remove = f"""
        UPDATE reports_reportquotamonth AS m SET units = m.units - s.units, entries = m.entries - s.entries
        FROM ({sums.format(rows="old_rows")}) AS s
        WHERE (m.subscription_id, m.institution_id, m.channel, m.month)
            = (s.subscription_id, s.institution_id, s.channel, s.month);
        -- A month left without entries has no row.
        DELETE FROM reports_reportquotamonth AS m USING (SELECT DISTINCT subscription_id FROM old_rows) AS o
        WHERE m.subscription_id = o.subscription_id AND m.entries = 0;"""
    return f"""
CREATE OR REPLACE FUNCTION reports_quota_entry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Per statement, from its transition tables: a bulk insert is one grouped upsert.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN{remove}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN{add}
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER reports_quota_entry_inserted AFTER INSERT ON packages_quotaentry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_quota_entry_changed();
CREATE TRIGGER reports_quota_entry_updated AFTER UPDATE ON packages_quotaentry
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reports_quota_entry_changed();
CREATE TRIGGER reports_quota_entry_deleted AFTER DELETE ON packages_quotaentry
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_quota_entry_changed();
INSERT INTO reports_reportquotamonth ({keys}, units, entries) {sums.format(rows="packages_quotaentry")};
"""


DROP = """
DROP TRIGGER IF EXISTS reports_quota_entry_inserted ON packages_quotaentry;
DROP TRIGGER IF EXISTS reports_quota_entry_updated ON packages_quotaentry;
DROP TRIGGER IF EXISTS reports_quota_entry_deleted ON packages_quotaentry;
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
