import datetime
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import outbox_drain
from organizations.roles import Role
from reports.models import Survey
from reports.services.surveys import (
    survey_for_ticket,
    survey_link_for,
    survey_question_links,
    survey_sweep,
    survey_token,
)
from tests.factories import PersonFactory, TicketFactory, customer_with_subscription
from tickets.services import ticket_reopen

pytestmark = pytest.mark.django_db


def _reminders(ticket) -> list[OutboxMessage]:
    """The survey reminders of the ticket in the outbox."""
    causes = [
        f"reports.survey_reminder:{pk}"
        for pk in Survey.objects.filter(ticket=ticket).values_list("pk", flat=True)
    ]
    return list(OutboxMessage.objects.filter(cause__in=causes).order_by("pk"))


# --- creation and snapshot -----------------------------------------------------------------------


def test_resolution_makes_one_survey_with_what_it_is_about(resolved_ticket, engineer):
    # given a ticket answered in time and resolved by the engineer
    # when the sweep runs twice
    survey_sweep(now=timezone.now() + datetime.timedelta(minutes=5))
    survey_sweep(now=timezone.now() + datetime.timedelta(minutes=6))
    # then one survey keeps the engineer, the SLA outcome, the package and the product
    survey = Survey.objects.get(ticket=resolved_ticket)
    assert survey.engineer_id == engineer.pk
    assert survey.first_response_met is True
    assert survey.package == "premium"
    assert survey.product_id == resolved_ticket.product_id
    assert survey.resolution_minutes == 0
    assert survey.requester_id == resolved_ticket.requester_id


def test_survey_for_ticket_before_any_sweep_is_the_same_row_the_sweep_keeps(resolved_ticket):
    # given the ticket page asked for the survey first
    first = survey_for_ticket(ticket=resolved_ticket)
    # when the sweep runs
    survey_sweep(now=timezone.now() + datetime.timedelta(minutes=5))
    # then there is still one survey
    assert Survey.objects.filter(ticket=resolved_ticket).count() == 1
    assert first.pk == Survey.objects.get(ticket=resolved_ticket).pk


def test_unresolved_ticket_has_no_survey(customer):
    # given an open ticket
    ticket = TicketFactory(requester=customer)
    # when / then
    assert survey_for_ticket(ticket=ticket) is None


def test_reopened_and_resolved_again_asks_again(resolved_ticket, customer, engineer, resolve):
    # given the first resolution was rated
    first = survey_for_ticket(ticket=resolved_ticket)
    first.score, first.answered_at = 2, timezone.now()
    first.save()
    # when the customer reopens it and the desk resolves it again
    ticket = ticket_reopen(actor=customer, ticket=resolved_ticket)
    ticket = resolve(ticket, engineer)
    # then the second resolution has a survey of its own, pending
    second = survey_for_ticket(ticket=ticket)
    assert second.pk != first.pk
    assert second.answered_at is None
    assert Survey.objects.filter(ticket=ticket).count() == 2


def test_breached_ticket_snapshot_records_the_breach(customer, engineer, resolve):
    # given a ticket first answered after its deadline and breached
    ticket = TicketFactory(requester=customer)
    from tickets.services.sla import sla_breach_record

    with time_machine.travel(ticket.first_response_due_at + datetime.timedelta(minutes=1)):
        sla_breach_record(ticket_id=ticket.pk)
        resolve(ticket, engineer)
    # when
    survey = survey_for_ticket(ticket=ticket)
    # then
    assert survey.first_response_met is False


# --- e-mails -------------------------------------------------------------------------------------


def test_sweep_sends_no_question_of_its_own(resolved_ticket):
    # given a resolution (its e-mail, sent by the notifications app, is the question)
    now = timezone.now() + datetime.timedelta(minutes=5)
    # when the sweep runs twice
    survey_sweep(now=now)
    survey_sweep(now=now + datetime.timedelta(minutes=1))
    # then the survey exists and nothing went to the outbox about it
    assert Survey.objects.filter(ticket=resolved_ticket).count() == 1
    assert _reminders(resolved_ticket) == []


def test_question_links_are_one_per_score_for_the_requester_and_mark_it_asked(resolved_ticket, customer):
    # given a pending survey never asked
    assert survey_for_ticket(ticket=resolved_ticket).asked_at is None
    # when the resolution e-mail asks for its links twice (a retried send)
    first = survey_question_links(resolved_ticket, customer)
    asked_at = Survey.objects.get(ticket=resolved_ticket).asked_at
    second = survey_question_links(resolved_ticket, customer)
    # then five links, 1 to 5, each pre-selecting its score; asked once
    assert [score for score, _url in first] == [1, 2, 3, 4, 5]
    assert all(re.search(rf"/surveys/[^/\s]+/\?score={score}$", url) for score, url in first)
    assert asked_at is not None
    assert Survey.objects.get(ticket=resolved_ticket).asked_at == asked_at
    assert [score for score, _url in second] == [1, 2, 3, 4, 5]


def test_question_links_for_someone_else_are_empty_and_ask_nothing(resolved_ticket, premium):
    # given a pending survey and the institution admin, not the requester
    survey_for_ticket(ticket=resolved_ticket)
    other = PersonFactory(institution=premium.institution, role=Role.INSTITUTION_ADMIN)
    # when / then
    assert survey_question_links(resolved_ticket, other) == []
    assert Survey.objects.get(ticket=resolved_ticket).asked_at is None


def test_one_reminder_after_three_days_exactly_once(resolved_ticket, customer):
    # given the resolution e-mail asked the question
    start = timezone.now() + datetime.timedelta(minutes=5)
    survey_question_links(resolved_ticket, customer)
    survey_sweep(now=start)
    # when the sweep runs before three days, then twice after
    survey_sweep(now=start + datetime.timedelta(days=2))
    assert _reminders(resolved_ticket) == []
    survey_sweep(now=start + datetime.timedelta(days=3, minutes=1))
    survey_sweep(now=start + datetime.timedelta(days=4))
    # then exactly one reminder went out, in Turkish (no preference), with five score links
    emails = _reminders(resolved_ticket)
    assert len(emails) == 1
    assert emails[0].recipient == customer.email
    assert emails[0].subject.startswith("Hatırlatma:")
    assert len(re.findall(r"/surveys/[^/\s]+/\?score=[1-5]", emails[0].body)) == 5
    assert Survey.objects.get(ticket=resolved_ticket).reminded_at is not None


def test_no_reminder_for_a_question_never_asked(resolved_ticket):
    # given a survey whose resolution e-mail never carried the question (the person turned those e-mails off)
    start = timezone.now() + datetime.timedelta(minutes=5)
    survey_sweep(now=start)
    # when four days pass
    survey_sweep(now=start + datetime.timedelta(days=4))
    # then no reminder of a question never put
    assert _reminders(resolved_ticket) == []


def test_reminder_counts_from_the_question_when_it_went_out_late(resolved_ticket, customer):
    # given the resolution e-mail went out two days after the resolution
    start = timezone.now() + datetime.timedelta(minutes=5)
    with time_machine.travel(start + datetime.timedelta(days=2)):
        survey_question_links(resolved_ticket, customer)
    # when the sweep runs three days after the resolution, then three days after the question
    survey_sweep(now=start + datetime.timedelta(days=3, minutes=1))
    early = _reminders(resolved_ticket)
    survey_sweep(now=start + datetime.timedelta(days=5, minutes=1))
    # then the reminder waited for the question's three days
    assert early == []
    assert len(_reminders(resolved_ticket)) == 1


def test_no_reminder_once_answered(resolved_ticket, customer):
    # given the question was asked and answered
    start = timezone.now() + datetime.timedelta(minutes=5)
    survey_question_links(resolved_ticket, customer)
    survey_sweep(now=start)
    survey = Survey.objects.get(ticket=resolved_ticket)
    Survey.objects.filter(pk=survey.pk).update(score=5, answered_at=start)
    # when three days pass
    survey_sweep(now=start + datetime.timedelta(days=4))
    # then no reminder
    assert _reminders(resolved_ticket) == []


def test_reminder_email_is_delivered(resolved_ticket, customer):
    # given a reminder written to the outbox
    survey_question_links(resolved_ticket, customer)
    survey_sweep(now=timezone.now() + datetime.timedelta(days=3, minutes=5))
    # when the outbox is drained
    outbox_drain()
    # then the requester has the e-mail
    assert any(customer.email in m.to and "/surveys/" in m.body for m in mail.outbox)


# --- the signed link -----------------------------------------------------------------------------


def test_link_opens_form_with_score_preselected_without_login(client, resolved_ticket, customer):
    # given
    link = survey_link_for(resolved_ticket, customer, score=4)
    # when an anonymous browser opens it
    response = client.get(urlsplit(link).path + "?" + urlsplit(link).query)
    # then the form has 4 checked
    assert response.status_code == 200
    assert re.search(r'value="4"[^>]*checked', response.content.decode())


def test_link_answer_is_recorded(client, resolved_ticket, customer):
    # given
    path = reverse("survey-link", args=[survey_token(survey_for_ticket(ticket=resolved_ticket))])
    # when
    response = client.post(path, {"score": "5", "comment": "Çok hızlı çözüldü"})
    # then
    survey = Survey.objects.get(ticket=resolved_ticket)
    assert response.status_code == 200
    assert (survey.score, survey.comment, survey.answered_via) == (5, "Çok hızlı çözüldü", "link")


def test_link_for_someone_else_is_none(resolved_ticket, premium):
    # given the institution admin, not the requester
    other = PersonFactory(institution=premium.institution, role=Role.INSTITUTION_ADMIN)
    # when / then
    assert survey_link_for(resolved_ticket, other) is None


def test_tampered_link_shows_a_page_and_records_nothing(client, resolved_ticket):
    # given a link with one character changed
    token = survey_token(survey_for_ticket(ticket=resolved_ticket))
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    # when it is opened and posted to
    shown = client.get(reverse("survey-link", args=[tampered]))
    posted = client.post(reverse("survey-link", args=[tampered]), {"score": "1"})
    # then a clear page, and no answer
    assert shown.status_code == 404
    assert posted.status_code == 404
    assert b"survey-link-invalid" in shown.content
    assert Survey.objects.get(ticket=resolved_ticket).answered_at is None


def test_expired_link_shows_a_page_and_records_nothing(client, resolved_ticket):
    # given a link
    path = reverse("survey-link", args=[survey_token(survey_for_ticket(ticket=resolved_ticket))])
    # when it is used 31 days later
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        response = client.post(path, {"score": "1"})
    # then
    assert response.status_code == 404
    assert Survey.objects.get(ticket=resolved_ticket).answered_at is None


def test_link_of_reopened_ticket_is_closed(client, resolved_ticket, customer):
    # given a link, then the ticket reopened
    path = reverse("survey-link", args=[survey_token(survey_for_ticket(ticket=resolved_ticket))])
    ticket_reopen(actor=customer, ticket=resolved_ticket)
    # when
    response = client.post(path, {"score": "3"})
    # then
    assert response.status_code == 410
    assert Survey.objects.get(ticket=resolved_ticket).answered_at is None


# --- the ticket page -----------------------------------------------------------------------------


def test_ticket_page_shows_the_form_to_the_requester(client, resolved_ticket, customer):
    # given
    client.force_login(customer)
    # when
    response = client.get(reverse("ticket-detail", args=[resolved_ticket.pk]))
    # then
    assert b'data-testid="survey-panel"' in response.content
    assert reverse("survey-answer", args=[resolved_ticket.pk]).encode() in response.content


def test_ticket_page_form_records_the_answer(client, resolved_ticket, customer):
    # given
    client.force_login(customer)
    # when
    response = client.post(reverse("survey-answer", args=[resolved_ticket.pk]), {"score": "3"})
    # then
    assert response.status_code == 302
    assert Survey.objects.get(ticket=resolved_ticket).score == 3


def test_ticket_page_form_of_another_institution_is_404(client, resolved_ticket):
    # given a customer elsewhere
    stranger = customer_with_subscription("premium")
    client.force_login(stranger)
    # when
    response = client.post(reverse("survey-answer", args=[resolved_ticket.pk]), {"score": "3"})
    # then
    assert response.status_code == 404
    assert Survey.objects.filter(ticket=resolved_ticket, answered_at__isnull=False).count() == 0


# --- the API -------------------------------------------------------------------------------------


def _url(ticket):
    return f"/api/v1/tickets/{ticket.pk}/survey/"


def test_api_get_pending(client_for, resolved_ticket, customer):
    response = client_for(customer).get(_url(resolved_ticket))
    assert response.status_code == 200
    assert response.json()["state"] == "pending"


def test_api_answer_then_second_answer_is_409(client_for, resolved_ticket, customer):
    # given
    api = client_for(customer)
    # when
    first = api.post(_url(resolved_ticket), {"score": 4, "comment": "İyi"}, format="json")
    second = api.post(_url(resolved_ticket), {"score": 1}, format="json")
    # then
    assert first.status_code == 201
    assert first.json()["state"] == "answered"
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "survey_answered"
    assert Survey.objects.get(ticket=resolved_ticket).score == 4
    assert api.get(_url(resolved_ticket)).json()["state"] == "answered"


@pytest.mark.parametrize(
    "body", [{"score": 0}, {"score": 6}, {}, {"score": "4"}, {"score": 4.5}, {"score": True}]
)
def test_api_bad_score_is_400_with_the_error_shape(client_for, resolved_ticket, customer, body):
    response = client_for(customer).post(_url(resolved_ticket), body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "score" in error["fields"]
    assert Survey.objects.filter(ticket=resolved_ticket, answered_at__isnull=False).count() == 0


def test_api_other_institution_is_404(client_for, resolved_ticket):
    stranger = customer_with_subscription("premium")
    api = client_for(stranger)
    assert api.get(_url(resolved_ticket)).status_code == 404
    assert api.post(_url(resolved_ticket), {"score": 5}, format="json").status_code == 404


def test_api_expired_after_thirty_days(client_for, resolved_ticket, customer):
    api = client_for(customer)
    survey_for_ticket(ticket=resolved_ticket)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        state = api.get(_url(resolved_ticket)).json()["state"]
        posted = api.post(_url(resolved_ticket), {"score": 5}, format="json")
    assert state == "expired"
    assert posted.status_code == 409
    assert posted.json()["error"]["code"] == "survey_expired"


def test_api_admin_may_read_but_not_answer(client_for, resolved_ticket, institution_admin):
    api = client_for(institution_admin)
    assert api.get(_url(resolved_ticket)).status_code == 200
    assert api.post(_url(resolved_ticket), {"score": 5}, format="json").status_code == 403


def test_api_unresolved_ticket_is_404(client_for, customer):
    ticket = TicketFactory(requester=customer)
    assert client_for(customer).get(_url(ticket)).status_code == 404
