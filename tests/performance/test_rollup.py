import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from performance.models import UsageDay, UsageDirtyDay, UsageEvent, UsageFeatureDay
from performance.services import (
    usage_days_rollup,
    usage_dirty_days_rollup,
    usage_events_ingest,
    usage_events_purge,
)
from tests.factories.performance import usage_event

pytestmark = pytest.mark.django_db

IST = ZoneInfo("Europe/Istanbul")


def at(day: int, hour: int, minute: int = 0) -> str:
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=IST).isoformat()


def send(org, *events, now=None):
    return usage_events_ingest(
        key=org["key"],
        payload={"events": list(events)},
        now=now or datetime.datetime(2026, 11, 30, 12, tzinfo=IST),
    )


def figures(person, day):
    return {
        (row.product, row.version): (row.active_seconds, row.sessions, row.feature_uses)
        for row in UsageDay.objects.filter(person=person, on=day)
    }


def test_session_pairs_give_active_time_sessions_and_feature_uses(org, product):
    # given: two sessions of Ayşe on 10 November (1 h 30 min and 45 min) and three feature uses
    send(
        org,
        usage_event(username="ayse", kind="session_start", feature=None, occurred_at=at(10, 9)),
        usage_event(username="ayse", kind="feature_used", feature="parcel-query", occurred_at=at(10, 9, 10)),
        usage_event(username="ayse", kind="feature_used", feature="parcel-query", occurred_at=at(10, 9, 20)),
        usage_event(username="ayse", kind="session_end", feature=None, occurred_at=at(10, 10, 30)),
        usage_event(username="ayse", kind="session_start", feature=None, occurred_at=at(10, 14)),
        usage_event(username="ayse", kind="feature_used", feature="export", occurred_at=at(10, 14, 5)),
        usage_event(username="ayse", kind="session_end", feature=None, occurred_at=at(10, 14, 45)),
    )
    # when
    usage_days_rollup(institution_id=org["institution"].pk, day=datetime.date(2026, 11, 10))
    # then
    assert figures(org["ayse"], datetime.date(2026, 11, 10)) == {("netcad", "9.1"): (90 * 60 + 45 * 60, 2, 3)}
    assert dict(UsageFeatureDay.objects.filter(person=org["ayse"]).values_list("feature", "uses")) == {
        "parcel-query": 2,
        "export": 1,
    }


def test_session_crossing_midnight_splits_its_time_between_the_two_days(org, product):
    # given: 23:00 on the 10th to 01:30 on the 11th, Istanbul time
    send(
        org,
        usage_event(username="mehmet", kind="session_start", feature=None, occurred_at=at(10, 23)),
        usage_event(username="mehmet", kind="session_end", feature=None, occurred_at=at(11, 1, 30)),
    )
    # when
    usage_dirty_days_rollup()
    # then: an hour on the 10th, where the session counts; 90 minutes on the 11th
    assert figures(org["mehmet"], datetime.date(2026, 11, 10)) == {("netcad", "9.1"): (3600, 1, 0)}
    assert figures(org["mehmet"], datetime.date(2026, 11, 11)) == {("netcad", "9.1"): (5400, 0, 0)}


def test_midnight_is_istanbul_midnight_not_utc(org, product):
    # given: 01:00 to 04:00 Istanbul on the 12th is 22:00 to 01:00 UTC across the UTC midnight
    send(
        org,
        usage_event(username="zeynep", kind="session_start", feature=None, occurred_at=at(12, 1)),
        usage_event(username="zeynep", kind="session_end", feature=None, occurred_at=at(12, 4)),
    )
    # when
    usage_dirty_days_rollup()
    # then
    assert figures(org["zeynep"], datetime.date(2026, 11, 12)) == {("netcad", "9.1"): (3 * 3600, 1, 0)}
    assert figures(org["zeynep"], datetime.date(2026, 11, 11)) == {}


def test_start_without_end_gives_no_time(org, product):
    # given: a session that crashed (a second start), then a normal one of 30 minutes
    send(
        org,
        usage_event(username="ayse", kind="session_start", feature=None, occurred_at=at(13, 8)),
        usage_event(username="ayse", kind="session_start", feature=None, occurred_at=at(13, 9)),
        usage_event(username="ayse", kind="session_end", feature=None, occurred_at=at(13, 9, 30)),
    )
    # when
    usage_days_rollup(institution_id=org["institution"].pk, day=datetime.date(2026, 11, 13))
    # then
    assert figures(org["ayse"], datetime.date(2026, 11, 13)) == {("netcad", "9.1"): (1800, 1, 0)}


def test_unmatched_events_are_not_rolled_up(org, product):
    # given
    send(
        org,
        usage_event(username="stranger", kind="session_start", feature=None, occurred_at=at(14, 8)),
        usage_event(username="stranger", kind="session_end", feature=None, occurred_at=at(14, 9)),
    )
    # when
    usage_days_rollup(institution_id=org["institution"].pk, day=datetime.date(2026, 11, 14))
    # then
    assert not UsageDay.objects.exists()


def test_rollup_twice_gives_the_same_figures_and_clears_the_marks(org, product):
    # given
    send(
        org,
        usage_event(username="ayse", kind="session_start", feature=None, occurred_at=at(15, 8)),
        usage_event(username="ayse", kind="session_end", feature=None, occurred_at=at(15, 9)),
    )
    # when
    usage_dirty_days_rollup()
    usage_days_rollup(institution_id=org["institution"].pk, day=datetime.date(2026, 11, 15))
    # then
    assert figures(org["ayse"], datetime.date(2026, 11, 15)) == {("netcad", "9.1"): (3600, 1, 0)}
    assert UsageDay.objects.count() == 1
    assert not UsageDirtyDay.objects.exists()


def test_day_marked_again_during_a_rollup_keeps_its_mark(org, product, monkeypatch):
    # given: a batch for the same day arrives while the rollup recomputes it
    from performance.services import rollup

    send(org, usage_event(username="ayse", occurred_at=at(16, 8)))
    recompute = rollup.usage_days_rollup

    def recompute_while_a_batch_arrives(**kwargs):
        recompute(**kwargs)
        send(
            org,
            usage_event(username="ayse", occurred_at=at(16, 9)),
            now=datetime.datetime(2026, 11, 30, 13, tzinfo=IST),
        )

    monkeypatch.setattr(rollup, "usage_days_rollup", recompute_while_a_batch_arrives)
    # when
    usage_dirty_days_rollup()
    # then
    assert list(UsageDirtyDay.objects.values_list("on", flat=True)) == [datetime.date(2026, 11, 16)]


def test_purge_deletes_events_older_than_the_retention_in_batches(org, product, settings):
    # given: events 14 and 12 months old (sent when they were fresh)
    settings.USAGE_PURGE_BATCH = 2
    now = timezone.now()
    old_at = now - datetime.timedelta(days=14 * 31)
    kept_at = now - datetime.timedelta(days=12 * 30)
    send(org, *[usage_event(username="ayse", occurred_at=old_at.isoformat()) for _ in range(5)], now=old_at)
    send(org, usage_event(username="ayse", occurred_at=kept_at.isoformat()), now=kept_at)
    # when
    deleted = usage_events_purge(now=now)
    # then
    assert deleted == 5
    assert list(UsageEvent.objects.values_list("occurred_at", flat=True)) == [kept_at]
