"""/health/ for load balancers: database, cache, broker and the age of the last completed SLA
sweep (recorded in the database by the sweep itself); /health/live/ for liveness only."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tickets.models import EngineHeartbeat
from tickets.services.sla import engine_heartbeat_record, sla_sweep

# The checks run on threads of their own, which see only committed rows.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def health(client):
    return client.get(reverse("health"), HTTP_ACCEPT="application/json")


def test_a_sweep_records_its_completion():
    # when
    sla_sweep()
    # then
    completed_at = EngineHeartbeat.objects.get(pk=EngineHeartbeat.SLA_SWEEP).completed_at
    assert timezone.now() - completed_at < datetime.timedelta(seconds=5)


def test_health_is_ok_after_a_recent_sweep_and_reports_its_age(client):
    # given
    sla_sweep()
    # when
    response = health(client)
    # then
    body = response.json()
    assert response.status_code == 200, body
    assert set(body) == {
        "Database(alias='default')",
        "Cache(alias='default')",
        "Broker()",
        "SLASweep()",
        "sla_sweep_age_seconds",
    }
    assert 0 <= body["sla_sweep_age_seconds"] < 5


def test_health_fails_when_the_last_sweep_is_older_than_30_s(client):
    # given: beat or every worker died 40 s ago
    engine_heartbeat_record(
        name=EngineHeartbeat.SLA_SWEEP, at=timezone.now() - datetime.timedelta(seconds=40)
    )
    # when
    response = health(client)
    # then
    assert response.status_code == 503
    said = re.fullmatch(
        r"Unavailable: the last SLA sweep completed ([0-9.]+) s ago", response.json()["SLASweep()"]
    )
    assert said, response.json()
    assert float(said[1]) >= 40


def test_health_fails_before_any_sweep_has_completed(client):
    # when
    response = health(client)
    # then
    assert response.status_code == 503
    assert "no SLA sweep" in response.json()["SLASweep()"]


def test_liveness_answers_without_looking_at_anything_else(client, django_assert_num_queries):
    # when
    with django_assert_num_queries(0):
        response = client.get(reverse("health-live"))
    # then
    assert response.status_code == 200
    assert response.content == b"ok\n"
