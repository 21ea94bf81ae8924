"""The counting rule (packages.services.ticket_unit_draw, docs/contract.md) as the ticket services
apply it, checked against the quota ledger: a ticket draws at most one unit per channel, and a
ticket recorded during an on-site day draws nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organizations.roles import Role
from packages.errors import QuotaExhausted
from packages.models import Allotment, Channel, QuotaEntry
from tests.factories import PersonFactory, SubscriptionFactory, customer_with_subscription
from tickets.models import Ticket
from tickets.services import (
    ticket_change_status,
    ticket_file,
    ticket_log_call,
    ticket_log_remote,
    ticket_reopen,
    ticket_reply,
)

pytestmark = pytest.mark.django_db

COUNTED = (Channel.WRITTEN, Channel.PHONE, Channel.REMOTE)


def used(institution) -> dict[str, int]:
    return dict(
        Allotment.objects.filter(subscription__institution=institution, channel__in=COUNTED).values_list(
            "channel", "used"
        )
    )


def entries(ticket: Ticket) -> list[str]:
    """The channels the ticket drew on, one item per unit still held."""
    return sorted(
        QuotaEntry.objects.filter(
            reference_type="ticket", reference_id=str(ticket.pk), reverses__isnull=True, reversal__isnull=True
        ).values_list("channel", flat=True)
    )


def desk_file(engineer, customer, channel: str) -> Ticket:
    return ticket_file(
        actor=customer, filed_by=engineer, channel=channel, subject="Arayan kurum", description="Telefonda."
    )


# --- the paths of the issue, one by one ----------------------------------------------------------


def test_phone_call_filed_and_logged_draws_one_phone_unit(engineer):
    # given: the desk files for a caller, on the phone
    customer = customer_with_subscription("standard")
    ticket = desk_file(engineer, customer, Channel.PHONE)
    # when: the same call is logged on the ticket
    message = ticket_log_call(
        actor=engineer, ticket=ticket, body="Katman ayarı anlatıldı.", duration_minutes=12
    )
    # then: phone used 0 → 1, not 2
    assert used(customer.institution)[Channel.PHONE] == 1
    assert entries(ticket) == [Channel.PHONE]
    assert message.is_counted is False


def test_phone_filing_is_the_first_response(engineer):
    # given
    customer = customer_with_subscription("standard")
    # when
    ticket = desk_file(engineer, customer, Channel.PHONE)
    # then
    ticket.refresh_from_db()
    assert ticket.first_responded_at == ticket.created_at
    assert ticket.sla_state == "answered"


def test_written_filing_by_the_customer_is_not_a_first_response():
    # given
    customer = customer_with_subscription("standard")
    # when
    ticket = ticket_file(actor=customer, subject="Soru", description="Yazılı.")
    # then
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None
    assert entries(ticket) == [Channel.WRITTEN]


def test_call_logged_is_the_first_response_when_none_yet(engineer):
    # given: a written ticket nobody answered
    customer = customer_with_subscription("standard")
    ticket = ticket_file(actor=customer, subject="Soru", description="Yazılı.")
    # when
    message = ticket_log_call(actor=engineer, ticket=ticket, body="Arandı.")
    # then: written 1, phone 1 (its first handling by phone), answered
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    assert entries(ticket) == [Channel.PHONE, Channel.WRITTEN]
    assert message.is_counted is True


def test_remote_session_logged_twice_draws_one_remote_unit(engineer):
    # given: a written ticket escalated to a call
    customer = customer_with_subscription("standard")
    ticket = ticket_file(actor=customer, subject="Soru", description="Yazılı.")
    ticket_log_call(actor=engineer, ticket=ticket, body="Arandı.")
    # when: two remote sessions on it
    first = ticket_log_remote(actor=engineer, ticket=ticket, body="Bağlanıldı.")
    second = ticket_log_remote(actor=engineer, ticket=ticket, body="Yeniden bağlanıldı.")
    # then
    assert used(customer.institution)[Channel.REMOTE] == 1
    assert (first.is_counted, second.is_counted) == (True, False)
    assert entries(ticket) == [Channel.PHONE, Channel.REMOTE, Channel.WRITTEN]


def test_second_call_is_logged_but_not_counted(engineer):
    # given
    customer = customer_with_subscription("standard")
    ticket = ticket_file(actor=customer, subject="Soru", description="Yazılı.")
    ticket_log_call(actor=engineer, ticket=ticket, body="Arandı.")
    # when
    ticket_log_call(actor=engineer, ticket=ticket, body="Yeniden arandı.")
    # then
    assert ticket.messages.filter(kind="call").count() == 2
    assert used(customer.institution)[Channel.PHONE] == 1


def test_onsite_note_draws_no_written_unit(engineer):
    # given: written used 5
    customer = customer_with_subscription("standard")
    Allotment.objects.filter(subscription__institution=customer.institution, channel=Channel.WRITTEN).update(
        used=5
    )
    # when: the engineer records a ticket during the on-site day
    ticket = desk_file(engineer, customer, Channel.ONSITE_DAYS)
    # then: written stays 5, the ticket holds no unit
    assert used(customer.institution)[Channel.WRITTEN] == 5
    assert entries(ticket) == []


def test_remote_filing_lets_a_session_be_logged_without_a_call(engineer):
    # given: the desk files for a customer it is helping in a remote session
    customer = customer_with_subscription("standard")
    ticket = desk_file(engineer, customer, Channel.REMOTE)
    # when
    message = ticket_log_remote(actor=engineer, ticket=ticket, body="Oturum sürdü.")
    # then
    assert message.is_counted is False
    assert entries(ticket) == [Channel.REMOTE]


def test_exhausted_phone_refuses_only_a_call_that_would_draw(engineer):
    # given: a phone ticket, then the phone allotment used up by others
    customer = customer_with_subscription("standard")
    ticket = desk_file(engineer, customer, Channel.PHONE)
    other = ticket_file(actor=customer, subject="Başka", description="Yazılı.")
    Allotment.objects.filter(subscription__institution=customer.institution, channel=Channel.PHONE).update(
        used=20
    )
    # when: a second call on the phone ticket draws nothing, so it is logged
    ticket_log_call(actor=engineer, ticket=ticket, body="Tekrar arandı.")
    # then: a first call on another ticket would draw, and is refused
    with pytest.raises(QuotaExhausted):
        ticket_log_call(actor=engineer, ticket=other, body="Arandı.")
    assert not other.messages.filter(kind="call").exists()


def test_reopening_does_not_make_a_call_count_again(engineer):
    # given: a ticket called on, resolved and reopened
    customer = customer_with_subscription("standard")
    ticket = ticket_file(actor=customer, subject="Soru", description="Yazılı.")
    ticket_log_call(actor=engineer, ticket=ticket, body="Arandı.")
    ticket_change_status(actor=engineer, ticket=ticket, status=Ticket.Status.RESOLVED)
    ticket_reopen(actor=customer, ticket=ticket)
    # when
    message = ticket_log_call(actor=engineer, ticket=ticket, body="Sorun geri geldi.")
    # then
    assert message.is_counted is False
    assert used(customer.institution)[Channel.PHONE] == 1


# --- the property: any sequence, against the rule -----------------------------------------------

FILING_CHANNELS = [Channel.WRITTEN, Channel.PHONE, Channel.REMOTE, Channel.ONSITE_DAYS]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("file"), st.sampled_from(FILING_CHANNELS)),
        st.tuples(st.sampled_from(["call", "remote", "resolve", "reopen"]), st.integers(0, 7)),
    ),
    min_size=1,
    max_size=14,
)


class Model:
    """The counting rule written out plainly: per ticket the set of channels it holds a unit of."""

    def __init__(self, allotment: int):
        self.allotment = allotment
        self.used = dict.fromkeys(COUNTED, 0)
        self.tickets: list[dict] = []

    def draw(self, ticket: dict | None, channel: str) -> str:
        """'counted', 'free' or 'refused' for one handling of a ticket (None: a new one)."""
        if channel == Channel.ONSITE_DAYS or (ticket is not None and channel in ticket["held"]):
            return "free"
        if self.used[channel] >= self.allotment:
            return "refused"
        self.used[channel] += 1
        return "counted"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(allotment=st.integers(1, 4), sequence=steps)
def test_ledger_follows_the_counting_rule(db, allotment, sequence):
    with transaction.atomic():
        # given: a Standard contract with a small allotment per channel, so exhaustion is met
        subscription = SubscriptionFactory(package_code="standard")
        Allotment.objects.filter(subscription=subscription, channel__in=COUNTED).update(allotment=allotment)
        customer = PersonFactory(role=Role.CUSTOMER, institution=subscription.institution)
        engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
        model, tickets, outcomes, expected = Model(allotment), [], [], []
        # when
        for action, argument in sequence:
            if action == "file":
                outcome = model.draw(None, argument)
                try:
                    if argument == Channel.WRITTEN:
                        ticket = ticket_file(actor=customer, subject="Yazılı", description="x")
                    else:
                        ticket = desk_file(engineer, customer, argument)
                except QuotaExhausted:
                    outcomes.append("refused")
                else:
                    outcomes.append("counted" if entries(ticket) else "free")
                    tickets.append(ticket)
                    model.tickets.append(
                        {"channel": argument, "held": {argument} - {Channel.ONSITE_DAYS}, "called": False}
                    )
                expected.append(outcome)
                continue
            if not tickets:
                continue
            index = argument % len(tickets)
            ticket, state = Ticket.objects.get(pk=tickets[index].pk), model.tickets[index]
            if action == "resolve":
                ticket_reply(actor=engineer, ticket=ticket, body="Çözüm önerisi.")
                ticket_change_status(actor=engineer, ticket=ticket, status=Ticket.Status.RESOLVED)
                continue
            if action == "reopen":
                if ticket.status == Ticket.Status.RESOLVED:
                    ticket_reopen(actor=customer, ticket=ticket)
                continue
            channel = Channel.PHONE if action == "call" else Channel.REMOTE
            log = ticket_log_call if action == "call" else ticket_log_remote
            if (
                action == "remote"
                and not state["called"]
                and state["channel"] not in (Channel.PHONE, Channel.REMOTE)
            ):
                with pytest.raises(ValidationError):
                    log(actor=engineer, ticket=ticket, body="Oturum.")
                continue
            outcome = model.draw(state, channel)
            try:
                message = log(actor=engineer, ticket=ticket, body="Görüşme.")
            except QuotaExhausted:
                outcomes.append("refused")
            else:
                outcomes.append("counted" if message.is_counted else "free")
                state["held"].add(channel)
                state["called"] |= action == "call"
            expected.append(outcome)
        ledger = used(subscription.institution)
        held = [entries(ticket) for ticket in tickets]
        transaction.set_rollback(True)
    # then: every handling drew what the rule says, and the ledger holds one unit per ticket and channel
    assert outcomes == expected
    assert ledger == model.used
    assert held == [sorted(state["held"]) for state in model.tickets]
