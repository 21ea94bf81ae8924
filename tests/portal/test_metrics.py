"""`/metrics`: each figure the operator watches is there, and moves when its event happens."""

import datetime

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from core.heartbeats import INBOUND_MAIL
from packages.services import quota_consume
from tests.factories import OutboxMessageFactory, SubscriptionFactory, TicketFactory
from tickets.models import Ticket
from tickets.services.sla import engine_heartbeat_record, sla_breach_sweep, sla_warning_sweep

pytestmark = pytest.mark.django_db


def scrape(client) -> dict[tuple[str, tuple], float]:
    """Every sample of one scrape, keyed by name and sorted labels."""
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_a_breach_moves_the_breach_counter_and_the_sweep_lag(client, time_machine):
    # given: a ticket whose deadline passes 3 seconds before the sweep runs
    time_machine.move_to(timezone.now(), tick=False)
    ticket = TicketFactory()
    due = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=due, warning_due_at=due)
    before = scrape(client)
    # when
    time_machine.shift(datetime.timedelta(seconds=3))
    sla_breach_sweep()
    # then
    after = scrape(client)
    assert after[("slaportal_sla_breaches_total", ())] == before[("slaportal_sla_breaches_total", ())] + 1
    assert after[("slaportal_sla_sweep_lag_seconds_count", ())] == 1
    assert after[("slaportal_sla_sweep_lag_seconds_bucket", (("le", "2.0"),))] == 0
    assert after[("slaportal_sla_sweep_lag_seconds_bucket", (("le", "5.0"),))] == 1
    assert after[("slaportal_sla_sweep_lag_seconds_sum", ())] == 3


def test_a_warning_moves_the_warning_counter(client):
    # given: a ticket past its warning time, not yet its deadline
    ticket = TicketFactory()
    Ticket.objects.filter(pk=ticket.pk).update(
        warning_due_at=timezone.now() - datetime.timedelta(seconds=1),
        first_response_due_at=timezone.now() + datetime.timedelta(hours=1),
    )
    before = scrape(client)[("slaportal_sla_warnings_total", ())]
    # when
    sla_warning_sweep()
    # then
    assert scrape(client)[("slaportal_sla_warnings_total", ())] == before + 1


def test_a_waiting_e_mail_moves_the_outbox_depth_and_age(client, time_machine):
    # given
    time_machine.move_to(timezone.now(), tick=False)
    before = scrape(client)[("slaportal_outbox_depth", (("kind", "email"),))]
    OutboxMessageFactory(recipient="a@example.test")
    # when
    time_machine.shift(datetime.timedelta(seconds=90))
    samples = scrape(client)
    # then
    assert samples[("slaportal_outbox_depth", (("kind", "email"),))] == before + 1
    assert samples[("slaportal_outbox_oldest_age_seconds", (("kind", "email"),))] >= 90


def test_a_mailbox_fetch_sets_the_last_inbound_fetch_time(client, time_machine):
    # given
    fetched_at = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    # when
    engine_heartbeat_record(name=INBOUND_MAIL, at=fetched_at)
    # then
    assert (
        scrape(client)[("slaportal_inbound_mail_last_fetch_timestamp_seconds", ())] == fetched_at.timestamp()
    )


def test_a_consumption_moves_the_quota_units_drawn_by_package_and_channel(client):
    # given
    subscription = SubscriptionFactory(package_code="premium")
    key = ("slaportal_quota_units_drawn_total", (("channel", "onsite_days"), ("package", "premium")))
    before = scrape(client).get(key, 0)
    # when
    quota_consume(
        actor=None,
        institution=subscription.institution,
        channel="onsite_days",
        reference_type="t",
        reference_id=1,
        units=2,
    )
    # then
    assert scrape(client)[key] == before + 2


def test_a_request_moves_the_latency_histogram_of_its_view(client):
    # given
    key = ("slaportal_http_request_duration_seconds_count", (("method", "GET"), ("view", "login")))
    before = scrape(client).get(key, 0)
    # when
    client.get("/accounts/login/")
    # then
    assert scrape(client)[key] == before + 1
