"""Destroy the data past its retention rule, in batches, and write the destruction record (what
beat runs every night).

    manage.py apply_retention              # destroys, prints each batch and the record's number
    manage.py apply_retention --dry-run    # counts what would go, changes nothing"""

from django.core.management.base import BaseCommand

from portal.privacy.retention import retention_apply


class Command(BaseCommand):
    help = "Apply the retention rules: destroy what is past its time in batches and record it."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count only; nothing is destroyed")
        parser.add_argument(
            "--batch-size", type=int, default=None, help="rows per batch (RETENTION_BATCH_SIZE)"
        )

    def handle(self, *args, dry_run, batch_size, **options):
        def on_batch(category, count):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {category}: batch of {count}")

        record, results = retention_apply(dry_run=dry_run, batch_size=batch_size, on_batch=on_batch)
        for result in results:
            verb = "would destroy" if dry_run else "destroyed"
            self.stdout.write(
                f"{result.category}: {verb} {result.destroyed} "
                f"(kept {result.keep_days} days, older than {result.cutoff_at:%Y-%m-%d %H:%M}, "
                f"{result.batches} batches)"
            )
        if record is not None:
            self.stdout.write(f"destruction record #{record.pk}")
