"""The daily digest (beat, once each morning)."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import Kind, Notification, NotificationPreference
from notifications.services.delivery import notification_drain
from notifications.services.digest import digest_compose_all_institutions
from notifications.services.fanout import notification_fanout
from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_admin_digest_counts_yesterdays_filed_tickets_once_a_day(smtp_sink, premium, customer):
    # given
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=premium.institution)
    TicketFactory(requester=customer, at=timezone.now() - datetime.timedelta(days=1))
    today = timezone.localdate()
    # when
    digest_compose_all_institutions(on=today)
    digest_compose_all_institutions(on=today)
    notification_drain()
    # then
    [mail] = smtp_sink.to(admin.email)
    assert "Dün: 1 talep açıldı" in mail.get_body(preferencelist=("plain",)).get_content()
    assert Notification.objects.filter(kind=Kind.DAILY_DIGEST, recipient=admin).count() == 1


def test_held_notifications_go_into_the_next_digest(smtp_sink, customer):
    # given
    NotificationPreference.objects.create(person=customer, kind=Kind.TICKET_FILED, mode="digest")
    ticket = TicketFactory(requester=customer, subject="Held one")
    notification_fanout()
    Notification.objects.filter(status="held").update(created_at=timezone.now() - datetime.timedelta(days=1))
    # when
    digest_compose_all_institutions(on=timezone.localdate())
    notification_drain()
    # then
    [mail] = smtp_sink.to(customer.email)
    assert f"#{ticket.pk} Held one" in mail.get_body(preferencelist=("plain",)).get_content()
    assert Notification.objects.get(kind=Kind.TICKET_FILED).status == "digested"
    assert mail["List-Unsubscribe"] is None


def test_admin_digest_unsubscribe_header_turns_the_digest_off(smtp_sink, client, premium):
    # given
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=premium.institution)
    digest_compose_all_institutions(on=timezone.localdate())
    notification_drain()
    [mail] = smtp_sink.to(admin.email)
    url = mail["List-Unsubscribe"].strip().strip("<>")
    # when
    response = client.post(url.removeprefix("http://127.0.0.1:8000"), {"List-Unsubscribe": "One-Click"})
    # then
    assert response.status_code == 200
    assert NotificationPreference.objects.get(person=admin, kind=Kind.DAILY_DIGEST).mode == "off"
