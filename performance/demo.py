"""Demo product usage for the Premium demo institution (and, with seed_demo --history, Premium+ over
the contract so far), so that its performance page shows figures at once: an installation key per
institution, and three weeks of working days of sessions and feature uses of
its people up to yesterday, sent through the ingestion service and rolled up as beat would.
The events' ids are fixed by person, day and position, so running it again stores nothing twice
(only the days since the last run are added) and the key is issued once."""

import datetime
import random
import uuid

from django.utils import timezone

from organizations.models import Institution, User
from packages.permissions import performance_tracking_lock

from .selectors import usage_key_list
from .services import usage_dirty_days_rollup, usage_events_ingest, usage_key_issue

KEY_NAME = "Demo: Ankara sunucusu"
DAYS = 21
PEOPLE = ("user1", "user2", "user3", "user4", "unit", "region", "admin")
PRODUCTS = (("netcad", ("8.5", "2026.1")), ("netgis", ("2025.2",)))
FEATURES = ("parsel-sorgulama", "imar-durumu", "harita-ciktisi", "veri-aktarimi", "katman-yonetimi")
NAMESPACE = uuid.UUID("6f1c2a3e-5b7d-4e8f-9a0b-1c2d3e4f5a6b")
BATCH = 1000


def _events(person: User, day: datetime.date) -> list[dict]:
    """The person's events of one working day: one or two sessions with a few features used."""
    rng = random.Random(f"{person.username}-{day.isoformat()}")
    if rng.random() < 0.2:
        return []
    product, versions = PRODUCTS[0] if rng.random() < 0.7 else PRODUCTS[1]
    version = rng.choice(versions)
    events = []
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))) + datetime.timedelta(
        minutes=rng.randrange(0, 60)
    )
    for _session in range(rng.choice((1, 1, 2))):
        end = start + datetime.timedelta(minutes=rng.randrange(60, 210))
        common = {"username": person.username, "product": product, "version": version}
        events.append({**common, "kind": "session_start", "occurred_at": start.isoformat()})
        for _use in range(rng.randrange(1, 6)):
            at = start + (end - start) * rng.random()
            events.append(
                {
                    **common,
                    "kind": "feature_used",
                    "feature": rng.choice(FEATURES),
                    "occurred_at": at.isoformat(),
                }
            )
        events.append({**common, "kind": "session_end", "occurred_at": end.isoformat()})
        start = end + datetime.timedelta(hours=1)
    for position, event in enumerate(events):
        event["id"] = str(uuid.uuid5(NAMESPACE, f"{person.username}/{day.isoformat()}/{position}"))
    return events


def performance_demo_seed(*, slugs: tuple[str, ...] = ("premium",), days: int = DAYS) -> int:
    """Seed the demo usage of the institutions (demo slugs) for the working days of the last
    `days` days; returns how many events were stored by this run."""
    today = timezone.localdate()
    stored = 0
    for slug in slugs:
        institution = Institution.objects.filter(slug=slug).first()
        admin = User.objects.filter(username=f"{slug}-admin").first()
        if institution is None or admin is None or performance_tracking_lock(institution) is not None:
            continue
        key = usage_key_list(institution=institution).filter(name=KEY_NAME, revoked=False).first()
        if key is None:
            key, _raw = usage_key_issue(actor=admin, institution=institution, name=KEY_NAME)
        usernames = [f"{slug}-{name}" for name in PEOPLE]
        people = list(
            User.objects.for_institution(institution).filter(username__in=usernames).order_by("username")
        )
        span = [today - datetime.timedelta(days=n) for n in range(days, 0, -1)]
        events = [
            event for day in span if day.weekday() < 5 for person in people for event in _events(person, day)
        ]
        for first in range(0, len(events), BATCH):
            stored += usage_events_ingest(key=key, payload={"events": events[first : first + BATCH]}).accepted
    usage_dirty_days_rollup()
    return stored
