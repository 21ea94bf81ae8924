"""The breach forecast replayed against generated history. Prints figures, asserts nothing.

    python manage.py bench_forecast                  # five generated desks, three weeks each
    python manage.py bench_forecast --seeds 1 --days 16 --learn-days 14   # a quick run

Each generated desk has arrival bursts, engineers going off duty (rostered, and unannounced),
slow kinds and a new engineer; its first `--learn-days` days are the history the rates are learnt
from, the rest are replayed minute by minute (tickets.forecast.bench). Printed: recall 30 and 60
minutes before the deadline, false alarms and precision, the Brier score, beside the plain 80 %
warning; the same across thresholds; how far the analytic probabilities are from Monte Carlo;
and the time to forecast 10,000 open tickets. docs/forecast.md shows a run."""

from django.conf import settings
from django.core.management.base import BaseCommand

from tickets.forecast import bench


class Command(BaseCommand):
    help = "Replay generated history through the breach forecast and print its figures."

    def add_arguments(self, parser):
        parser.add_argument("--seeds", type=int, default=5, help="generated desks (default 5)")
        parser.add_argument("--days", type=int, default=21, help="days per desk (default 21)")
        parser.add_argument("--learn-days", type=int, default=14, help="days learnt from (default 14)")
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="breach probability that flags a ticket (default FORECAST_BREACH_PROBABILITY)",
        )

    def handle(self, *args, **options):
        threshold = (
            options["threshold"] if options["threshold"] is not None else settings.FORECAST_BREACH_PROBABILITY
        )
        result = bench.run(seeds=options["seeds"], days=options["days"], learn_days=options["learn_days"])
        forecast, baseline = result.figures(threshold)
        out = self.stdout.write
        rates = result.rates[0]
        out(
            f"history: {options['seeds']} desks × {options['days']} days ({options['learn_days']} learnt from), "
            f"{forecast.tickets} tickets due in the replayed days, {forecast.breaches} breached, "
            f"{result.engineer_days} engineer-days"
        )
        out(
            f"rates learnt (desk 1): {rates.mean_minutes:.1f} min a first response "
            f"({60 / rates.mean_minutes:.1f} per service hour), cv {rates.cv:.2f}; kinds "
            + ", ".join(f"{kind} ×{factor:.2f}" for kind, factor in sorted(rates.kind_factor.items()))
        )
        out("")
        out(f"{'':32}{'forecast (p ≥ ' + format(threshold, '.2f') + ')':>22}{'80 % warning':>16}")
        rows = [
            ("recall 30 min ahead", f"{forecast.recall_30:.1%}", f"{baseline.recall_30:.1%}"),
            ("recall 60 min ahead", f"{forecast.recall_60:.1%}", f"{baseline.recall_60:.1%}"),
            ("flagged 30 min ahead", f"{forecast.warned_30}", f"{baseline.warned_30}"),
            ("  of which false", f"{forecast.false_30}", f"{baseline.false_30}"),
            ("  precision", f"{forecast.precision_30:.1%}", "—"),
            (
                "  false per engineer-day",
                f"{forecast.false_30_per_engineer_day:.2f}",
                f"{baseline.false_30_per_engineer_day:.2f}",
            ),
            ("flagged at any time (last hour)", f"{forecast.alarms}", f"{baseline.alarms}"),
            ("  of which false", f"{forecast.false_alarms}", f"{baseline.false_alarms}"),
            ("  precision", f"{forecast.precision:.1%}", f"{baseline.precision:.1%}"),
            (
                "  false per engineer-day",
                f"{forecast.false_alarms_per_engineer_day:.2f}",
                f"{baseline.false_alarms_per_engineer_day:.2f}",
            ),
            ("Brier score (30 min ahead)", f"{forecast.brier:.4f}", f"{baseline.brier:.4f}"),
        ]
        for label, ours, theirs in rows:
            out(f"{label:32}{ours:>22}{theirs:>16}")
        out("")
        out("threshold   recall@30  recall@60  false@30/eng-day  false any/eng-day  precision@30")
        for candidate in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
            figures, _baseline = result.figures(candidate)
            out(
                f"{candidate:9.2f}   {figures.recall_30:9.1%}  {figures.recall_60:9.1%}  "
                f"{figures.false_30_per_engineer_day:16.2f}  {figures.false_alarms_per_engineer_day:17.2f}  "
                f"{figures.precision_30:12.1%}"
            )
        out("")
        if result.pairs:
            gaps = sorted(abs(analytic - sampled) for analytic, sampled in result.pairs)
            out(
                f"analytic vs Monte Carlo (200 runs), {len(gaps)} tickets due within the hour: "
                f"mean |Δp| {sum(gaps) / len(gaps):.3f}, 95th percentile {gaps[int(0.95 * (len(gaps) - 1))]:.3f}"
            )
        out(f"10,000 open tickets forecast in {bench.timing() * 1000:.0f} ms (the simulation alone)")
