"""The API and the web pages with Redis stopped, on production's cache (the fail-open Redis cache
for throttles) and broker settings, with django-axes on: filing answers 201, logging in works,
nothing answers 500. The filed ticket is routed and timed once Redis is back, from its rows."""

import time

import pytest
import redis
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from organizations.roles import Role
from slaportal.api.services import api_token_issue
from slaportal.celery import app, broker_reset
from tests.factories import PersonFactory, TicketFactory
from tests.factories.organizations import PASSWORD
from tickets.models import OutboxMessage, Ticket
from tickets.services.outbox import outbox_drain

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def production_redis(private_redis, monkeypatch):
    """The cache and the broker of production pointed at the private Redis."""
    caches = {
        "default": {
            "BACKEND": "slaportal.cache.FailOpenRedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": "slaportal",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    broker_reset()
    monkeypatch.setattr(app.conf, "broker_write_url", private_redis.url)
    with override_settings(CACHES=caches, AXES_ENABLED=True):
        yield private_redis
    broker_reset()


def web_pages(ticket: Ticket) -> list[str]:
    return [
        reverse("home"),
        reverse("ticket-list"),
        reverse("ticket-new"),
        reverse("ticket-detail", args=[ticket.pk]),
    ]


def test_the_api_throttles_through_the_private_redis_while_it_runs(production_redis, customer):
    # given
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(actor=customer).key}")
    # when
    response = client.get("/api/v1/me/")
    # then: the throttle's counter is in that Redis
    assert response.status_code == 200
    assert redis.Redis.from_url(production_redis.url).keys("slaportal:*throttle*")


def test_filing_logging_in_and_pages_work_with_redis_stopped(production_redis, customer, engineer):
    # given: Redis is gone
    engineer.is_on_duty = True
    engineer.save(update_fields=["is_on_duty"])
    token = api_token_issue(actor=customer).key
    existing = TicketFactory(requester=customer)
    production_redis.kill()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    # when: the customer files through the API, logs in through the API and the web, and browses
    started = time.monotonic()
    filed = [
        api.post("/api/v1/tickets/", {"subject": f"Parsel sorgusu {n}", "description": "Boş sonuç dönüyor"})
        for n in range(5)
    ]
    filing_seconds = time.monotonic() - started
    token_login = APIClient().post(
        "/api/v1/auth/token/", {"username": customer.username, "password": PASSWORD}
    )
    web = Client()
    web_login = web.post(reverse("login"), {"username": customer.username, "password": PASSWORD})
    pages = {url: web.get(url).status_code for url in web_pages(existing)}
    desk_pages = {}
    for person, name in ((engineer, "ticket-queue"), (PersonFactory(role=Role.DESK_LEAD), "desk-board")):
        desk = Client()
        desk.force_login(person)
        desk_pages[name] = desk.get(reverse(name)).status_code
    api_reads = {
        url: api.get(url).status_code for url in ("/api/v1/me/", "/api/v1/tickets/", "/api/v1/packages/")
    }
    print(f"5 filings with Redis stopped: {filing_seconds:.2f} s")
    # then: filed (201), quickly; logged in; every page and read answers
    assert [response.status_code for response in filed] == [201] * 5, filed[0].content
    assert filing_seconds < 5
    assert token_login.status_code == 200 and token_login.json()["token"]
    assert web_login.status_code == 302 and web_login.url == reverse("home")
    assert pages == dict.fromkeys(pages, 200)
    assert desk_pages == dict.fromkeys(desk_pages, 200)
    assert api_reads == dict.fromkeys(api_reads, 200)
    # and once Redis is back the outbox routes what was filed meanwhile, and the deadlines stand
    production_redis.start()
    outbox_drain()
    ids = [response.json()["id"] for response in filed]
    assert not OutboxMessage.objects.filter(ticket_id__in=ids, processed_at__isnull=True).exists()
    assert set(Ticket.objects.filter(pk__in=ids).values_list("assignee", flat=True)) == {engineer.pk}
    assert not Ticket.objects.filter(pk__in=ids, first_response_due_at__isnull=True).exists()


def test_health_fails_but_liveness_answers_with_redis_stopped(production_redis):
    # given
    production_redis.kill()
    # when
    health = Client().get("/health/", HTTP_ACCEPT="application/json")
    live = Client().get("/health/live/")
    # then: the readiness check names what is down, the process itself is fine
    assert health.status_code == 503
    body = health.json()
    assert body["Cache(alias='default')"] != "OK"
    assert body["Broker()"] != "OK"
    assert live.status_code == 200
