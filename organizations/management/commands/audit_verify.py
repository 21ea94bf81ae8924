"""Check the audit log's hash chain (organizations.audit_chain).

    manage.py audit_verify      # exit 0: the chain holds; exit 1: names the first broken row

A row changed after it was written, a row removed from the middle, or the newest rows removed:
each breaks the chain, and the command names the row where it breaks."""

from django.core.management.base import BaseCommand, CommandError

from organizations.audit_chain import chain_verify

REASONS = {
    "changed": "audit row {id} was changed after it was written (its hash does not match its content)",
    "removed_before": "audit row {id} does not follow the row before it: a row before it was removed or changed",
    "removed_after": "the chain's head is row {id}, which is missing or not the last row: the newest rows were removed",
}


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exits non-zero naming the first broken row."

    def handle(self, *args, **options):
        checked, broken = chain_verify()
        if broken is not None:
            raise CommandError(
                REASONS[broken.reason].format(id=broken.event_id) + f" ({checked} rows hold before it)"
            )
        self.stdout.write(f"audit chain holds: {checked} rows")
