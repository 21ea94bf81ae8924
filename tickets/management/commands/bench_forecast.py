"""The breach forecast replayed against generated history. Prints figures, asserts nothing.

    python manage.py bench_forecast                  # five generated desks, three weeks each
    python manage.py bench_forecast --seeds 1 --days 16 --learn-days 14   # a quick run
    python manage.py bench_forecast --first-seed 6   # five other desks

Each generated desk has arrival bursts, engineers going off duty (rostered, and unannounced),
slow kinds and a new engineer; its first `--learn-days` days are the history the rates are learnt
from, the rest are replayed minute by minute (tickets.forecast.bench). A ticket is flagged when
it is at risk by the board's rule (tickets.forecast.risk, FORECAST_BREACH_PROBABILITY,
FORECAST_PERSIST_MINUTES, FORECAST_CLEAR_PROBABILITY unless given). Printed: recall 30 and 60
minutes before the deadline, false alarms and precision, the Brier score, beside the plain 80 %
warning; the same across thresholds, with the rule and with one refresh over the threshold
enough; how far the analytic probabilities are from Monte Carlo; and the time to forecast 10,000
open tickets. docs/forecast.md shows a run."""

import datetime
import random
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand

from tickets.forecast import bench
from tickets.forecast.rates import HandlingRates
from tickets.forecast.services import Learnt, forecast_build

THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


def build_timing(*, tickets: int = 10_000, engineers: int = 6, seed: int = 3) -> float:
    """Seconds the whole forecast takes for `tickets` open tickets, from the rows as read: the
    service clock, both runs (as staffed and with one more engineer) and the at-risk states
    carried on from a stored forecast of the same queue."""
    rng = random.Random(seed)
    now = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
    queue = [
        (
            i,
            rng.randint(1, 4),
            now + datetime.timedelta(minutes=rng.uniform(-60, 3000)),
            now - datetime.timedelta(minutes=rng.uniform(0, 3000)),
            rng.choice(list(bench.KIND_FACTORS)),
            rng.randint(1, 4),
        )
        for i in range(tickets)
    ]
    changes = [(now + datetime.timedelta(minutes=30 * i), 1 + i % engineers, i % 2 == 0) for i in range(20)]
    last_free = {e: now - datetime.timedelta(minutes=rng.uniform(0, 20)) for e in range(1, engineers + 1)}
    arrivals = {p: tuple(rng.uniform(0.1, 0.6) for _ in range(16)) for p in (1, 2, 3, 4)}
    learnt = Learnt(HandlingRates(14.0, 0.6, {}, {}, {}, 0), arrivals)
    common = {
        "queue": queue,
        "engineers": [(e, True) for e in range(1, engineers + 1)],
        "changes": changes,
        "last_free": last_free,
        "learnt": learnt,
    }
    previous = forecast_build(now=now - datetime.timedelta(minutes=1), **common)
    started = time.perf_counter()
    forecast_build(now=now, previous=previous, **common)
    return time.perf_counter() - started


class Command(BaseCommand):
    help = "Replay generated history through the breach forecast and print its figures."

    def add_arguments(self, parser):
        parser.add_argument("--seeds", type=int, default=5, help="generated desks (default 5)")
        parser.add_argument("--first-seed", type=int, default=1, help="the first desk's seed (default 1)")
        parser.add_argument("--days", type=int, default=21, help="days per desk (default 21)")
        parser.add_argument("--learn-days", type=int, default=14, help="days learnt from (default 14)")
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="breach probability from which a ticket is at risk (default FORECAST_BREACH_PROBABILITY)",
        )
        parser.add_argument(
            "--persist",
            type=float,
            default=None,
            help="minutes the probability must stay there (default FORECAST_PERSIST_MINUTES)",
        )
        parser.add_argument(
            "--clear",
            type=float,
            default=None,
            help="probability below which a ticket at risk is no longer (default FORECAST_CLEAR_PROBABILITY)",
        )

    def handle(self, *args, **options):
        def setting(option, name):
            return options[option] if options[option] is not None else getattr(settings, name)

        rule = bench.Rule(
            threshold=setting("threshold", "FORECAST_BREACH_PROBABILITY"),
            clear=setting("clear", "FORECAST_CLEAR_PROBABILITY"),
            persist=setting("persist", "FORECAST_PERSIST_MINUTES"),
        )
        result = bench.run(
            seeds=options["seeds"],
            days=options["days"],
            learn_days=options["learn_days"],
            first_seed=options["first_seed"],
        )
        forecast, baseline = result.figures(rule)
        out = self.stdout.write
        rates = result.rates[0]
        first, last = options["first_seed"], options["first_seed"] + options["seeds"] - 1
        out(
            f"history: {options['seeds']} desks (seeds {first}–{last}) × {options['days']} days "
            f"({options['learn_days']} learnt from), {forecast.tickets} tickets due in the replayed days, "
            f"{forecast.breaches} breached, {result.engineer_days} engineer-days"
        )
        out(
            f"rates learnt (desk {first}): {rates.mean_minutes:.1f} min a first response "
            f"({60 / rates.mean_minutes:.1f} per service hour), cv {rates.cv:.2f}; kinds "
            + ", ".join(f"{kind} ×{factor:.2f}" for kind, factor in sorted(rates.kind_factor.items()))
        )
        out(
            f"at risk: p ≥ {rule.threshold:.2f} for {rule.persist:g} minutes (at once when just filed), "
            f"until p < {rule.clear:.2f}"
        )
        out("")
        out(f"{'':32}{'forecast':>22}{'80 % warning':>16}")
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
        for title, make in (
            (
                f"the rule ({rule.persist:g} minutes, until p < {rule.clear:.2f}) by threshold",
                lambda threshold: bench.Rule(threshold, rule.clear, rule.persist),
            ),
            ("one refresh over the threshold enough (no persistence, no hold)", bench.Rule.plain),
        ):
            out("")
            out(title)
            out("threshold   recall@30  recall@60  false@30/eng-day  false any/eng-day  precision any")
            for threshold in THRESHOLDS:
                figures, _baseline = result.figures(make(threshold))
                out(
                    f"{threshold:9.2f}   {figures.recall_30:9.1%}  {figures.recall_60:9.1%}  "
                    f"{figures.false_30_per_engineer_day:16.2f}  {figures.false_alarms_per_engineer_day:17.2f}  "
                    f"{figures.precision:13.1%}"
                )
        out("")
        if result.pairs:
            gaps = sorted(abs(analytic - sampled) for analytic, sampled in result.pairs)
            out(
                f"analytic vs Monte Carlo (200 runs), {len(gaps)} tickets due within the hour: "
                f"mean |Δp| {sum(gaps) / len(gaps):.3f}, 95th percentile {gaps[int(0.95 * (len(gaps) - 1))]:.3f}"
            )
        simulation = min(bench.timing() for _ in range(3))
        whole = min(build_timing() for _ in range(3))
        out(
            f"10,000 open tickets forecast in {simulation * 1000:.0f} ms (the simulation alone), "
            f"{whole * 1000:.0f} ms (the whole forecast: service clock, both runs, at-risk states); best of 3"
        )
