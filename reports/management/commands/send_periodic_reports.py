from django.core.management.base import BaseCommand, CommandError

from reports.periods import PeriodError, month_period
from reports.services.delivery import report_delivery_run


class Command(BaseCommand):
    help = (
        "Send one month's report to every institution admin, e.g. --period 2026-11. Idempotent: an "
        "institution already sent that month's report gets nothing more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="The month, YYYY-MM.")

    def handle(self, *args, period, **options):
        try:
            month = month_period(period)
        except PeriodError as exc:
            raise CommandError(exc.message()) from None
        created, sent = report_delivery_run(period=month)
        self.stdout.write(f"{period}: {created} new deliveries, {sent} sent")
