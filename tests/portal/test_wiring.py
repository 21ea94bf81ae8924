"""What the composition layer wires between apps of one layer: the trainings a person attended
(learning) as a column of the performance report (performance); the satisfaction question
(reports) in the resolution e-mail (notifications), and the person's e-mail language (notifications)
for the survey's reminder (reports)."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from learning.models import Registration
from notifications.services.preferences import preference_update
from notifications.tasks import dispatch as notifications_dispatch
from organizations.roles import Role
from reports.models import Survey
from reports.services.surveys import survey_sweep
from slaportal.api.services import api_token_issue
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, TicketFactory, UnitFactory
from tests.factories.learning import TrainingFactory
from tickets.services import ticket_change_status, ticket_share
from tickets.services.outbox import outbox_drain

pytestmark = pytest.mark.django_db


def test_performance_report_counts_the_trainings_each_person_attended():
    # given: two sessions earlier this month; Ayşe attended both, Mehmet registered for one and missed it
    institution = SubscriptionFactory(package_code="premium").institution
    unit = UnitFactory(region=RegionFactory(institution=institution))
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)
    ayse, mehmet = PersonFactory(unit=unit), PersonFactory(unit=unit)
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1), datetime.time(10)))
    first, second = TrainingFactory(starts_at=start), TrainingFactory(starts_at=start + datetime.timedelta(hours=2))
    attended = timezone.now()
    for training in (first, second):
        Registration.objects.create(training=training, person=ayse, institution=institution, attended_at=attended)
    Registration.objects.create(training=first, person=mehmet, institution=institution)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(actor=admin).key}")
    # when
    body = client.get(
        "/api/v1/performance/", {"group_by": "person", "from": today.replace(day=1).isoformat(), "to": today.isoformat()}
    ).json()
    # then
    assert {"key": "trainings_attended", "label": "Katıldığı eğitimler"} in body["figures"]
    figures = {row["key"]: row["figures"].get("trainings_attended") for row in body["rows"]}
    assert figures[ayse.pk] == 2
    assert figures[mehmet.pk] in (0, None)



def test_resolution_e_mail_carries_the_survey_link_to_the_requester_only(customer, engineer, settings, mailoutbox):
    # given: a ticket shared with a colleague, then resolved
    settings.SITE_URL = "https://portal.example.test"
    colleague = PersonFactory(institution=customer.institution)
    ticket = TicketFactory(requester=customer)
    ticket_share(actor=customer, ticket=ticket, person=colleague)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    # when
    notifications_dispatch()
    # then
    with translation.override("tr"):
        headline = gettext("Your ticket was resolved")
    to_requester = [m for m in mailoutbox if m.to == [customer.email]]
    to_colleague = [m for m in mailoutbox if m.to == [colleague.email]]
    assert [m.subject.endswith(headline) for m in to_requester if "/surveys/" in m.body] == [True]
    assert any(m.subject.endswith(headline) for m in to_colleague)
    assert not any("/surveys/" in m.body for m in to_colleague)
    body = next(m.body for m in to_requester if "/surveys/" in m.body)
    links = re.findall(r"https://portal\.example\.test(/surveys/[^/\s]+/)\?score=([1-5])", body)
    assert [score for _path, score in links] == ["1", "2", "3", "4", "5"]
    response = Client().get(links[3][0], {"score": "4"})
    assert response.status_code == 200
    assert re.search(r'value="4"[^>]*checked', response.content.decode())


def _filed(requester):
    """A ticket filed by the requester, its acknowledgement already sent."""
    ticket = TicketFactory(requester=requester)
    notifications_dispatch()
    return ticket


def _mails_since(mailoutbox, start, person):
    return [m for m in mailoutbox[start:] if m.to == [person.email]]


def test_resolution_sends_the_requester_one_mail_which_is_the_survey_question(customer, engineer, mailoutbox):
    # given: a ticket resolved
    ticket = _filed(customer)
    start = len(mailoutbox)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    # when: every sender of the portal runs, twice (notifications, the survey sweep, the outbox)
    for _ in range(2):
        notifications_dispatch()
        survey_sweep(now=timezone.now() + datetime.timedelta(minutes=5))
        outbox_drain()
    # then: the requester got exactly one mail since, the resolution's, and it carries the survey
    [mail] = _mails_since(mailoutbox, start, customer)
    with translation.override("tr"):
        assert mail.subject.endswith(gettext("Your ticket was resolved"))
    assert len(re.findall(r"/surveys/[^/\s]+/\?score=[1-5]", mail.body)) == 5
    assert Survey.objects.get(ticket=ticket).asked_at is not None


def test_survey_reminder_goes_once_after_three_days_in_the_requesters_language(customer, engineer, mailoutbox):
    # given: a requester who reads e-mails in English, whose resolution e-mail asked the question
    preference_update(actor=customer, modes={}, language="en")
    ticket = _filed(customer)
    start = len(mailoutbox)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    notifications_dispatch()
    resolved = timezone.now()
    # when: the sweep runs after two days, then twice after three days, each time draining the outbox
    for days in (2, 3.01, 4):
        survey_sweep(now=resolved + datetime.timedelta(days=days))
        outbox_drain()
    # then: besides the resolution e-mail, exactly one reminder, in English, with the five links
    mails = _mails_since(mailoutbox, start, customer)
    assert len(mails) == 2
    assert "/surveys/" in mails[0].body
    reminder = mails[1]
    assert reminder.subject == f"Reminder: how did we do on ticket #{ticket.pk}?"
    assert "We have not heard from you yet" in reminder.body
    assert len(re.findall(r"/surveys/[^/\s]+/\?score=[1-5]", reminder.body)) == 5
    assert Survey.objects.get(ticket=ticket).reminded_at is not None


def test_vendor_calendar_shows_the_weeks_published_trainings(client):
    # given: a published session this week and a draft one
    staff = PersonFactory(role=Role.PACKAGE_MANAGER, institution=None)
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    at = timezone.make_aware(datetime.datetime.combine(monday + datetime.timedelta(days=2), datetime.time(14)))
    TrainingFactory(title="Parsel sorgulama eğitimi", starts_at=at)
    TrainingFactory(title="Taslak oturum", starts_at=at, is_published=False)
    client.force_login(staff)
    # when
    page = client.get("/vendor/calendar/", {"week": monday.isoformat()}).content.decode()
    # then
    assert re.search(r'data-kind="training">.*?14:00.*?Parsel sorgulama eğitimi', page, re.S)
    assert "Taslak oturum" not in page
