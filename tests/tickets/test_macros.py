"""Macros: their placeholders filled in for a ticket as plain text, who keeps which, who sees
which, and what sending a reply made from one sets on the ticket."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from organizations.roles import Role
from tests.clients import login
from tests.factories import MacroFactory, PersonFactory, TicketFactory, customer_with_subscription
from tickets import selectors
from tickets.macros import macro_placeholders_unknown, macro_render
from tickets.models import Macro, Ticket, TicketEvent
from tickets.services import macro_apply, macro_create, macro_delete

pytestmark = pytest.mark.django_db


def test_render_fills_in_the_requesters_first_name_the_ticket_id_and_the_due_time():
    # given
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        ticket = TicketFactory(requester=customer_with_subscription("premium", first_name="Ayşe"))
    due = timezone.localtime(ticket.first_response_due_at)
    # when
    with translation.override("tr"):
        text = macro_render(
            "Merhaba {{ requester.first_name }}, #{{ticket.id}} — {{ sla.due }}", ticket=ticket
        )
        expected_due = date_format(due, "SHORT_DATETIME_FORMAT")
    # then
    assert text == f"Merhaba Ayşe, #{ticket.pk} — {expected_due}"


def test_render_leaves_anything_but_the_placeholders_as_written():
    # given: template syntax that would reach further if the body were a template
    ticket = TicketFactory()
    body = "{% load static %}{{ ticket.requester.password }} {{ settings.SECRET_KEY }} <b>{{ ticket.id }}</b>"
    # when
    text = macro_render(body, ticket=ticket)
    # then
    assert (
        text
        == f"{{% load static %}}{{{{ ticket.requester.password }}}} {{{{ settings.SECRET_KEY }}}} <b>{ticket.pk}</b>"
    )


def test_unknown_placeholders_are_named_once_each():
    # then
    assert macro_placeholders_unknown("{{ ticket.id }} {{ user.email }} {{user.email}} {{ x }}") == [
        "user.email",
        "x",
    ]


def test_engineer_keeps_a_personal_macro_with_status_and_kind(engineer):
    # when
    macro = macro_create(
        actor=engineer, name="Bekleniyor", body="Bilgi bekliyoruz.", status="waiting", kind="problem"
    )
    # then
    assert (macro.owner, macro.status, macro.kind, macro.is_personal) == (
        engineer,
        "waiting",
        "problem",
        True,
    )


def test_a_macro_with_an_unknown_placeholder_is_refused(engineer):
    # when / then
    with pytest.raises(ValidationError) as refused:
        macro_create(actor=engineer, name="Kötü", body="{{ requester.email }}")
    assert "{{ requester.email }}" in refused.value.message_dict["body"][0]
    assert not Macro.objects.exists()


def test_a_second_macro_of_the_same_name_for_the_same_owner_is_refused(engineer):
    # given
    macro_create(actor=engineer, name="Selam", body="Merhaba.")
    # when / then
    with pytest.raises(ValidationError):
        macro_create(actor=engineer, name="selam", body="Tekrar merhaba.")


def test_an_engineer_cannot_keep_a_shared_macro(engineer):
    # when / then
    with pytest.raises(PermissionDenied):
        macro_create(actor=engineer, name="Herkese", body="Merhaba.", personal=False)


def test_the_desk_lead_keeps_a_shared_macro(lead):
    # when
    macro = macro_create(actor=lead, name="Herkese", body="Merhaba.", personal=False)
    # then
    assert macro.owner is None


def test_a_customer_cannot_keep_a_macro(customer):
    # when / then
    with pytest.raises(PermissionDenied):
        macro_create(actor=customer, name="Benim", body="Merhaba.")


def test_a_personal_macro_is_not_visible_to_another_engineer(engineer):
    # given
    other = PersonFactory(role=Role.SUPPORT_ENGINEER)
    mine = MacroFactory(owner=engineer)
    theirs = MacroFactory(owner=other)
    shared = MacroFactory(owner=None)
    # when
    listed = set(selectors.macro_list_for(person=engineer))
    # then
    assert listed == {mine, shared}
    assert selectors.macro_get_for(person=engineer, pk=theirs.pk) is None


def test_nobody_outside_the_desk_sees_a_macro(customer, package_manager):
    # given
    MacroFactory(owner=None)
    # then
    assert list(selectors.macro_list_for(person=customer)) == []
    assert list(selectors.macro_list_for(person=package_manager)) == []


def test_an_engineer_cannot_remove_a_shared_macro(engineer):
    # given
    shared = MacroFactory(owner=None)
    # when / then
    with pytest.raises(PermissionDenied):
        macro_delete(actor=engineer, macro=shared)
    assert Macro.objects.filter(pk=shared.pk).exists()


def test_applying_a_macro_sets_kind_and_status_with_history(engineer):
    # given
    ticket = TicketFactory(kind="question")
    macro = MacroFactory(owner=engineer, status="waiting", kind="bug")
    # when
    macro_apply(actor=engineer, ticket=ticket, macro=macro)
    # then
    ticket.refresh_from_db()
    assert (ticket.status, ticket.kind) == (Ticket.Status.WAITING, Ticket.Kind.BUG)
    assert ticket.events.filter(kind=TicketEvent.Kind.KIND_CHANGED, data__new="bug").exists()


def test_a_reply_sent_from_a_macro_sets_what_the_macro_sets(client, engineer):
    # given
    ticket = TicketFactory()
    macro = MacroFactory(owner=engineer, status="waiting")
    login(client, engineer)
    # when
    response = client.post(
        reverse("ticket-action", args=[ticket.pk, "reply"]),
        {"reply-body": "Ekran görüntüsü gönderir misiniz?", "reply-macro": str(macro.pk)},
    )
    # then
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING
    assert ticket.messages.get().body == "Ekran görüntüsü gönderir misiniz?"


def test_another_engineers_macro_sets_nothing_on_a_reply(client, engineer):
    # given
    ticket = TicketFactory()
    theirs = MacroFactory(owner=PersonFactory(role=Role.SUPPORT_ENGINEER), status="waiting")
    login(client, engineer)
    # when
    client.post(
        reverse("ticket-action", args=[ticket.pk, "reply"]),
        {"reply-body": "Yanıt.", "reply-macro": str(theirs.pk)},
    )
    # then: the reply is sent, the first reply opens the ticket, the other's macro is ignored
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def test_the_ticket_page_offers_the_macros_filled_in_for_the_ticket(browser_client, engineer):
    # given
    ticket = TicketFactory(requester=customer_with_subscription("premium", first_name="Can"))
    MacroFactory(owner=engineer, name="Selam", body="Merhaba {{ requester.first_name }} <script>")
    login(browser_client, engineer)
    # when
    page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then: filled in, and escaped like any text on the page
    assert 'data-text="Merhaba Can &lt;script&gt;"' in page


def test_macro_page_keeps_a_personal_macro(browser_client, engineer):
    # given
    login(browser_client, engineer)
    # when
    response = browser_client.post(
        reverse("macro-list"),
        {"name": "Kapanış", "body": "Sorununuz çözüldü.", "status": "resolved", "kind": ""},
    )
    # then
    assert response.status_code == 302
    assert Macro.objects.get().owner == engineer


def test_macro_page_is_for_the_desk_only(browser_client, customer):
    # given
    login(browser_client, customer)
    # when
    response = browser_client.get(reverse("macro-list"))
    # then
    assert response.status_code == 403
