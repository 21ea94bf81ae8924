"""The Prometheus alert rules and the Grafana dashboard in deploy/ read metrics /metrics exposes."""

import json
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
METRIC = re.compile(r"\bslaportal_[a-z_]+")

pytestmark = pytest.mark.django_db


def _exposed(client) -> set[str]:
    return set(METRIC.findall(client.get("/metrics").content.decode()))


def test_alert_rules_cover_sweep_lag_outbox_age_and_breach_rate(client):
    # when
    rules = yaml.safe_load((DEPLOY / "prometheus/alerts.yml").read_text())["groups"][0]["rules"]
    names = {rule["alert"] for rule in rules}
    # then
    assert {"SLASweepLagHigh", "OutboxEmailOld", "SLABreachRateHigh"} <= names


def test_every_metric_of_the_alerts_and_the_dashboard_is_exposed(client):
    # given: a mailbox fetch, a sweep and a request, so their figures are there too
    from core.heartbeats import INBOUND_MAIL, SLA_SWEEP
    from tickets.services.sla import engine_heartbeat_record

    engine_heartbeat_record(name=INBOUND_MAIL)
    engine_heartbeat_record(name=SLA_SWEEP)
    client.get("/accounts/login/")
    used = set(METRIC.findall((DEPLOY / "prometheus/alerts.yml").read_text()))
    dashboard = json.loads((DEPLOY / "grafana/slaportal.json").read_text())
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            used |= set(METRIC.findall(target["expr"]))
    # when
    exposed = _exposed(client)
    # then: the broker gauges appear only with Redis as broker, the quota counter once a unit is drawn
    optional = {
        "slaportal_celery_queue_depth",
        "slaportal_celery_broker_up",
        "slaportal_quota_units_drawn_total",
    }
    assert used - optional <= exposed
