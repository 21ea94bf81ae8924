import datetime
import threading
import uuid

import pytest
import time_machine
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from organizations.roles import Role
from performance.models import UsageDirtyDay, UsageEvent
from performance.services import MalformedBatch, usage_events_ingest, usage_key_revoke
from tests.factories import PersonFactory, SubscriptionFactory
from tests.factories.performance import ProductFactory, UsageKeyFactory, usage_event

pytestmark = pytest.mark.django_db


def post(key_raw: str, events) -> "APIClient.response":
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key_raw}")
    return client.post("/api/v1/usage/events/", {"events": events}, format="json")


def test_same_batch_twice_is_counted_once(org, product):
    # given
    events = [usage_event(username="ayse") for _ in range(3)]
    # when
    first = post(org["key"].raw, events)
    second = post(org["key"].raw, events)
    # then
    assert first.status_code == second.status_code == 200
    assert first.json()["accepted"] == 3 and first.json()["duplicate"] == 0
    assert second.json()["accepted"] == 0 and second.json()["duplicate"] == 3
    assert UsageEvent.objects.count() == 3


def test_repeated_id_within_one_batch_is_a_duplicate(org, product):
    # given
    event = usage_event(username="ayse")
    # when
    result = usage_events_ingest(key=org["key"], payload={"events": [event, dict(event)]})
    # then
    assert (result.accepted, result.duplicate) == (1, 1)


def test_person_matched_by_username_or_email_case_insensitively(org, product):
    # given
    events = [usage_event(username="mehmet"), usage_event(username=None, email="ayse@example.TEST")]
    # when
    result = usage_events_ingest(key=org["key"], payload={"events": events})
    # then
    assert result.unmatched == 0
    assert set(UsageEvent.objects.values_list("person__username", flat=True)) == {"mehmet", "ayse"}


def test_unknown_person_is_stored_unmatched_and_counted(org, product):
    # given
    event = usage_event(username="stranger")
    # when
    response = post(org["key"].raw, [event])
    # then
    assert response.json()["accepted"] == 1 and response.json()["unmatched"] == 1
    stored = UsageEvent.objects.get(pk=event["id"])
    assert stored.person_id is None and stored.person_ref == "stranger"
    assert "stranger" not in response.content.decode()


def test_key_of_one_institution_naming_another_institutions_person_is_unmatched(org, product):
    # given
    other = SubscriptionFactory(package_code="premium").institution
    outsider = PersonFactory(username="outsider", email="outsider@other.test", institution=other)
    events = [usage_event(username="outsider"), usage_event(username=None, email=outsider.email)]
    # when
    result = usage_events_ingest(key=org["key"], payload={"events": events})
    # then
    assert result.unmatched == 2
    assert not UsageEvent.objects.filter(person=outsider).exists()
    assert set(UsageEvent.objects.values_list("institution_id", flat=True)) == {org["institution"].pk}


def test_revoked_key_is_refused(org, product):
    # given
    usage_key_revoke(actor=org["admin"], key=org["key"])
    # when
    response = post(org["key"].raw, [usage_event(username="ayse")])
    # then
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert UsageEvent.objects.count() == 0


def test_no_key_is_refused(db):
    # given
    client = APIClient()
    # when
    response = client.post("/api/v1/usage/events/", {"events": []}, format="json")
    # then
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize("package", ["standard", "professional"])
def test_key_of_an_institution_without_performance_tracking_is_feature_locked(product, package):
    # given: a key issued under last year's Premium contract; the institution is now on a lower package
    today = timezone.localdate()
    institution = SubscriptionFactory(
        package_code="premium", starts_on=today - datetime.timedelta(days=400)
    ).institution
    with time_machine.travel(timezone.now() - datetime.timedelta(days=100)):
        key = UsageKeyFactory(institution=institution)
    SubscriptionFactory(
        package_code=package, institution=institution, starts_on=today - datetime.timedelta(days=20)
    )
    PersonFactory(username="ayse", institution=institution)
    # when
    response = post(key.raw, [usage_event(username="ayse")])
    # then
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "feature_locked"
    assert UsageEvent.objects.count() == 0


@pytest.mark.parametrize(
    "fields, field, code",
    [
        ({"id": "not-a-uuid"}, "id", "invalid"),
        ({"username": None}, "username", "required"),
        ({"product": "unknown"}, "product", "unknown_product"),
        ({"version": ""}, "version", "required"),
        ({"kind": "clicked"}, "kind", "invalid_choice"),
        ({"kind": "feature_used", "feature": None}, "feature", "required"),
        ({"occurred_at": "2026-03-01T09:30:00"}, "occurred_at", "naive"),
        ({"occurred_at": "yesterday"}, "occurred_at", "invalid"),
        ({"occurred_at": "2020-01-01T00:00:00Z"}, "occurred_at", "too_old"),
    ],
)
def test_invalid_event_is_rejected_with_its_reason(org, product, fields, field, code):
    # given
    good, bad = usage_event(username="ayse"), usage_event(**{"username": "ayse", **fields})
    # when
    response = post(org["key"].raw, [good, bad])
    # then
    body = response.json()
    assert response.status_code == 200
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["rejections"][0]["index"] == 1
    assert (body["rejections"][0]["field"], body["rejections"][0]["code"]) == (field, code)


def test_event_more_than_five_minutes_ahead_is_rejected_and_four_minutes_is_accepted(org, product):
    # given
    now = timezone.now()
    late = usage_event(username="ayse", occurred_at=(now + datetime.timedelta(minutes=6)).isoformat())
    near = usage_event(username="ayse", occurred_at=(now + datetime.timedelta(minutes=4)).isoformat())
    # when
    result = usage_events_ingest(key=org["key"], payload={"events": [late, near]}, now=now)
    # then
    assert result.accepted == 1
    assert [(r["id"], r["code"]) for r in result.rejected] == [(late["id"], "future")]


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"events": "many"},
        {"items": []},
        {"events": [1, 2]},
    ],
)
def test_malformed_batch_is_refused_whole(org, product, body):
    # given
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {org['key'].raw}")
    # when
    response = client.post("/api/v1/usage/events/", body, format="json")
    # then
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "malformed_batch" and error["fields"]
    assert UsageEvent.objects.count() == 0


def test_more_than_a_thousand_events_is_malformed(org, product):
    # given
    events = [usage_event(username="ayse") for _ in range(1001)]
    # when / then
    with pytest.raises(MalformedBatch):
        usage_events_ingest(key=org["key"], payload={"events": events})
    assert UsageEvent.objects.count() == 0


@pytest.mark.postgres
def test_batch_costs_the_same_queries_whatever_its_size(postgres, org, product):
    # given (SQLite's limit on parameters splits a bulk insert into chunks; PostgreSQL's does not)
    small = [usage_event(username="ayse") for _ in range(2)]
    large = [
        usage_event(username=name) for name in ("ayse", "mehmet", "zeynep", "x", "y") for _ in range(200)
    ]
    # when
    with CaptureQueriesContext(connection) as small_queries:
        usage_events_ingest(key=org["key"], payload={"events": small})
    with CaptureQueriesContext(connection) as large_queries:
        usage_events_ingest(key=org["key"], payload={"events": large})
    # then
    assert len(large_queries) == len(small_queries) <= 8


def test_accepted_events_mark_their_days_for_the_rollup(org, product):
    # given
    at = timezone.now().replace(microsecond=0)
    # when
    usage_events_ingest(
        key=org["key"], payload={"events": [usage_event(username="ayse", occurred_at=at.isoformat())]}
    )
    # then
    assert list(UsageDirtyDay.objects.values_list("institution_id", "on")) == [
        (org["institution"].pk, timezone.localdate(at))
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_with_the_same_batch_store_and_count_it_once(postgres):
    # given
    ProductFactory(code="netcad")
    institution = SubscriptionFactory(package_code="premium").institution
    PersonFactory(username="racer", institution=institution, role=Role.CUSTOMER)
    key = UsageKeyFactory(institution=institution)
    events = [usage_event(username="racer") for _ in range(500)]
    barrier = threading.Barrier(2)
    answers = []

    def send():
        try:
            barrier.wait()
            answers.append(post(key.raw, events).json())
        finally:
            close_old_connections()
            connection.close()

    # when
    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(a["accepted"] for a in answers) in ([0, 500], *[[n, 500 - n] for n in range(1, 500)])
    assert sum(a["accepted"] for a in answers) == 500
    assert sum(a["duplicate"] for a in answers) == 500
    assert UsageEvent.objects.filter(pk__in=[uuid.UUID(e["id"]) for e in events]).count() == 500
