"""`/metrics` answers a scraper on the same machine or one with the token, and reads Celery's
queue depth from Redis."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db


def test_a_loopback_scraper_needs_no_token(client):
    # when
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert b"slaportal_http_request_duration_seconds" in response.content


def test_another_address_without_the_token_is_refused(client, settings):
    # given
    settings.METRICS_TOKEN = "scrape-token-1"
    # when
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    # then
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"slaportal_" not in response.content


def test_a_wrong_token_is_refused(client, settings):
    # given
    settings.METRICS_TOKEN = "scrape-token-1"
    # when
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer guess")
    # then
    assert response.status_code == 401


def test_another_address_with_the_token_is_answered(client, settings):
    # given
    settings.METRICS_TOKEN = "scrape-token-1"
    # when
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer scrape-token-1")
    # then
    assert response.status_code == 200


def test_without_a_token_configured_only_loopback_is_answered(client, settings):
    # given
    settings.METRICS_TOKEN = ""
    # when
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer ")
    # then
    assert response.status_code == 401


def test_a_request_through_the_reverse_proxy_is_not_local(client):
    # given: Caddy on the same machine forwards an outside request
    # when
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    # then
    assert response.status_code == 401


def test_a_queued_task_moves_the_celery_queue_depth(client, settings, redis_url):
    # given: the broker is Redis (the tests' own database of it), with nothing queued
    import redis
    from kombu import Connection, Producer, Queue

    settings.CELERY_BROKER_URL = redis_url
    redis.Redis.from_url(redis_url).delete("routing_p2")

    def depth():
        text = client.get("/metrics").content.decode()
        samples = {
            (s.name, s.labels.get("queue")): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }
        return samples[("slaportal_celery_queue_depth", "routing_p2")], samples[
            ("slaportal_celery_broker_up", None)
        ]

    before, up = depth()
    # when: a message is published to the queue, as Celery sends a routing task
    with Connection(redis_url) as connection:
        queue = Queue("routing_p2", routing_key="routing_p2")
        Producer(connection).publish({"task": "x"}, routing_key="routing_p2", declare=[queue])
    # then
    try:
        assert (up, before) == (1, 0)
        assert depth()[0] == 1
    finally:
        redis.Redis.from_url(redis_url).delete("routing_p2")


def test_an_unreachable_broker_is_reported_down_without_failing_the_scrape(client, settings):
    # given
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    # when
    response = client.get("/metrics")
    # then
    assert response.status_code == 200
    assert b"slaportal_celery_broker_up 0.0" in response.content
