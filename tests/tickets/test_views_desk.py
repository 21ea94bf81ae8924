import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from organizations.roles import Role
from packages.models import Allotment
from tests.clients import login
from tests.factories import PersonFactory, TicketFactory, customer_with_subscription
from tests.factories.packages import exhaust
from tickets.forecast.services import forecast_refresh
from tickets.models import DevelopmentItem, Ticket, TicketMessage
from tickets.selectors import ticket_board_all_institutions, ticket_board_counts, ticket_board_page
from tickets.services import ticket_assign, ticket_change_status, ticket_log_call

pytestmark = pytest.mark.django_db


def _rows(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-ticket="(\d+)"', page)]


def test_queue_orders_premium_ahead_of_older_standard(client, engineer):
    # given
    older_standard = TicketFactory(requester=customer_with_subscription("standard"))
    newer_premium = TicketFactory(requester=customer_with_subscription("premium"))
    login(client, engineer)
    # when
    page = client.get(reverse("ticket-queue")).content.decode()
    # then
    assert _rows(page) == [newer_premium.pk, older_standard.pk]


def test_queue_shows_package_count_and_countdown(browser_client, engineer):
    # given
    TicketFactory(requester=customer_with_subscription("premium"))
    login(browser_client, engineer)
    # when
    page = browser_client.get(reverse("ticket-queue")).content.decode()
    # then
    assert "1 open ticket" in page
    assert "Premium" in page
    assert "data-deadline=" in page


def test_queue_filters_by_package(client, engineer):
    # given
    TicketFactory(requester=customer_with_subscription("standard"))
    premium = TicketFactory(requester=customer_with_subscription("premium"))
    login(client, engineer)
    # when
    page = client.get(reverse("ticket-queue"), {"package": "premium"}).content.decode()
    # then
    assert _rows(page) == [premium.pk]


def test_queue_filters_by_institution(client, engineer):
    # given
    TicketFactory(requester=customer_with_subscription("premium"))
    wanted = TicketFactory(requester=customer_with_subscription("premium"))
    login(client, engineer)
    # when
    page = client.get(reverse("ticket-queue"), {"institution": wanted.institution.slug}).content.decode()
    # then
    assert _rows(page) == [wanted.pk]


def test_queue_filter_mine_shows_only_my_tickets(client, engineer):
    # given
    TicketFactory()
    mine = ticket_assign(actor=engineer, ticket=TicketFactory(), assignee=engineer)
    login(client, engineer)
    # when
    page = client.get(reverse("ticket-queue"), {"scope": "mine"}).content.decode()
    # then
    assert _rows(page) == [mine.pk]


def test_queue_filter_unassigned_hides_assigned(client, engineer):
    # given
    free = TicketFactory()
    ticket_assign(actor=engineer, ticket=TicketFactory(), assignee=engineer)
    login(client, engineer)
    # when
    page = client.get(reverse("ticket-queue"), {"scope": "unassigned"}).content.decode()
    # then
    assert _rows(page) == [free.pk]


def test_queue_filter_by_status(client, engineer):
    # given
    TicketFactory()
    waiting = TicketFactory()
    ticket_change_status(actor=engineer, ticket=waiting, status="waiting")
    login(client, engineer)
    # when
    page = client.get(reverse("ticket-queue"), {"status": "waiting"}).content.decode()
    # then
    assert _rows(page) == [waiting.pk]


def test_queue_partial_is_rows_without_layout(client, engineer):
    # given
    ticket = TicketFactory()
    login(client, engineer)
    # when
    page = client.get(reverse("ticket-queue-partial")).content.decode()
    # then
    assert _rows(page) == [ticket.pk]
    assert "<html" not in page


def test_queue_page_polls_its_partial(client, engineer):
    # given
    login(client, engineer)
    # when
    page = client.get(reverse("ticket-queue")).content.decode()
    # then
    assert f'data-refresh-url="{reverse("ticket-queue-partial")}"' in page


def test_queue_query_count_does_not_grow_with_tickets(client, engineer, django_assert_max_num_queries):
    # given
    for code in ("standard", "professional", "premium", "premium_plus"):
        TicketFactory(requester=customer_with_subscription(code))
        TicketFactory(requester=customer_with_subscription(code))
    login(client, engineer)
    # then: the session, the person, the packages' and products' names for the filters, the
    # capped count, the contact requests panel and the 50 rows as plain values
    with django_assert_max_num_queries(7):
        response = client.get(reverse("ticket-queue"))
    assert len(_rows(response.content.decode())) == 8


def test_breached_ticket_is_red_in_queue(client, engineer):
    # given
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2)):
        ticket = TicketFactory()
    Ticket.objects.filter(pk=ticket.pk).update(breached_at=timezone.now())
    login(client, engineer)
    # when
    page = client.get(reverse("ticket-queue")).content.decode()
    # then
    assert 'data-sla="breached"' in page


def test_engineer_reply_answers_in_time(browser_client, engineer):
    # given
    ticket = TicketFactory()
    login(browser_client, engineer)
    # when
    response = browser_client.post(
        reverse("ticket-action", args=[ticket.pk, "reply"]), {"reply-body": "Please update."}, follow=True
    )
    # then
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    assert "Answered in time" in response.content.decode()


def test_workspace_shows_internal_notes_and_history_to_desk(browser_client, engineer):
    # given
    ticket = TicketFactory()
    login(browser_client, engineer)
    browser_client.post(reverse("ticket-action", args=[ticket.pk, "note"]), {"note-body": "Check 2025 bug"})
    # when
    page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then
    assert "Check 2025 bug" in page
    assert "Internal note added" in page


def test_logging_a_call_consumes_phone_quota(client, engineer):
    # given
    ticket = TicketFactory()
    login(client, engineer)
    # when
    client.post(
        reverse("ticket-action", args=[ticket.pk, "call"]),
        {"call-body": "Walked through", "call-duration_minutes": "12"},
    )
    # then
    assert Allotment.objects.get(subscription=ticket.subscription, channel="phone").used == 1
    assert ticket.messages.get().kind == TicketMessage.Kind.CALL


def test_call_on_exhausted_phone_quota_is_refused_and_keeps_text(browser_client, engineer):
    # given
    ticket = TicketFactory(requester=customer_with_subscription("standard"))
    exhaust(ticket.subscription, channel="phone")
    login(browser_client, engineer)
    # when
    response = browser_client.post(
        reverse("ticket-action", args=[ticket.pk, "call"]), {"call-body": "Typed call summary"}
    )
    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert "is used up" in page
    assert "Typed call summary</textarea>" in page


def test_exhausted_refusal_on_the_ticket_page_is_worded_for_the_desk(browser_client, engineer):
    # given
    ticket = TicketFactory(requester=customer_with_subscription("standard"))
    exhaust(ticket.subscription, channel="phone")
    login(browser_client, engineer)
    # when
    page = browser_client.post(
        reverse("ticket-action", args=[ticket.pk, "call"]), {"call-body": "Typed call summary"}
    ).content.decode()
    # then: what the engineer can do, not the customer's advice
    assert "this ticket holds no unit of it yet" in page
    assert "ask the package manager to extend the contract" in page
    assert "ask your account manager" not in page


def test_ticket_page_shows_units_left_before_a_call_or_session(browser_client, engineer):
    # given: a Standard ticket, 3 phone units used elsewhere
    ticket = TicketFactory(requester=customer_with_subscription("standard"))
    Allotment.objects.filter(subscription=ticket.subscription, channel="phone").update(used=3)
    login(browser_client, engineer)
    # when
    page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then
    assert "Phone support: 17 of 20 units left" in page
    assert "Live remote support: 20 of 20 units left" in page


def test_ticket_page_says_a_further_call_draws_nothing(browser_client, engineer):
    # given: a call already logged on the ticket
    ticket = TicketFactory(requester=customer_with_subscription("standard"))
    ticket_log_call(actor=engineer, ticket=ticket, body="Arandı.")
    login(browser_client, engineer)
    # when
    page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then
    assert "This ticket already holds its Phone support unit: logging another draws nothing." in page


def test_ticket_page_warns_of_an_exhausted_channel_before_logging(browser_client, engineer):
    # given
    ticket = TicketFactory(requester=customer_with_subscription("standard"))
    exhaust(ticket.subscription, channel="remote")
    login(browser_client, engineer)
    # when
    page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then
    assert "Live remote support: all 20 units are used until" in page


def test_customer_sees_no_unit_figures_on_the_ticket_page(browser_client):
    # given
    ticket = TicketFactory(requester=customer_with_subscription("standard"))
    login(browser_client, ticket.requester)
    # when
    page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then
    assert 'data-testid="units-phone"' not in page


def test_remote_session_after_call_is_logged(client, engineer):
    # given
    ticket = TicketFactory()
    ticket_log_call(actor=engineer, ticket=ticket, body="Call")
    login(client, engineer)
    # when
    response = client.post(
        reverse("ticket-action", args=[ticket.pk, "remote"]), {"remote-body": "Fixed remotely"}
    )
    # then
    assert response.status_code == 302
    assert ticket.messages.filter(kind=TicketMessage.Kind.REMOTE).exists()


def test_remote_session_without_call_is_refused_with_reason(browser_client, engineer):
    # given
    ticket = TicketFactory()
    login(browser_client, engineer)
    # when
    response = browser_client.post(
        reverse("ticket-action", args=[ticket.pk, "remote"]), {"remote-body": "Too soon"}
    )
    # then
    assert response.status_code == 400
    assert "Log a phone call first" in response.content.decode()


def test_status_change_from_workspace(client, engineer):
    # given
    ticket = TicketFactory()
    login(client, engineer)
    # when
    client.post(reverse("ticket-action", args=[ticket.pk, "status"]), {"status-status": "waiting"})
    # then
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING


def test_reassign_from_workspace(client, engineer):
    # given
    ticket = TicketFactory()
    colleague = PersonFactory(role=Role.SUPPORT_ENGINEER)
    login(client, engineer)
    # when
    client.post(reverse("ticket-action", args=[ticket.pk, "assign"]), {"assign-assignee": str(colleague.pk)})
    # then
    ticket.refresh_from_db()
    assert ticket.assignee == colleague


def test_reassign_to_a_customer_is_refused(client, engineer, customer):
    # given
    ticket = TicketFactory()
    login(client, engineer)
    # when
    response = client.post(
        reverse("ticket-action", args=[ticket.pk, "assign"]), {"assign-assignee": str(customer.pk)}
    )
    # then
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_escalate_to_development_then_update_it(browser_client, engineer):
    # given
    ticket = TicketFactory(kind="question")
    login(browser_client, engineer)
    # when
    browser_client.post(reverse("ticket-action", args=[ticket.pk, "escalate"]), {"escalate-note": "Seen it"})
    browser_client.post(
        reverse("ticket-action", args=[ticket.pk, "development"]),
        {
            "development-state": "planned",
            "development-planned_on": "2027-03-01",
            "development-public_note": "In 12.1",
        },
    )
    # then
    item = DevelopmentItem.objects.get(tickets=ticket)
    assert item.state == "planned"
    assert item.planned_on == datetime.date(2027, 3, 1)


def test_unknown_action_is_not_found(client, engineer):
    # given
    ticket = TicketFactory()
    login(client, engineer)
    # when
    response = client.post(reverse("ticket-action", args=[ticket.pk, "explode"]))
    # then
    assert response.status_code == 404


def test_engineer_cannot_open_board(client, engineer):
    # given
    login(client, engineer)
    # then
    assert client.get(reverse("desk-board")).status_code == 403


def test_board_lists_tickets_near_or_past_deadline_only(client, lead):
    # given
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2)):
        late = TicketFactory()
    TicketFactory()
    login(client, lead)
    # when
    page = client.get(reverse("desk-board")).content.decode()
    # then
    assert _rows(page) == [late.pk]


def test_board_partial_refreshes_without_layout(client, lead):
    # given
    login(client, lead)
    # when
    page = client.get(reverse("desk-board-partial")).content.decode()
    # then
    assert "board-count" in page
    assert "<html" not in page


def test_lead_also_works_the_queue(client, lead):
    # given
    TicketFactory()
    login(client, lead)
    # then
    assert client.get(reverse("ticket-queue")).status_code == 200


def test_desk_home_is_the_queue(client, engineer):
    # given
    login(client, engineer)
    # when
    response = client.get("/")
    # then
    assert response.url == reverse("ticket-queue")


def test_board_query_count_is_bounded(client, lead, django_assert_max_num_queries):
    # given
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2)):
        for _ in range(6):
            TicketFactory()
    login(client, lead)
    # then
    with django_assert_max_num_queries(10):
        client.get(reverse("desk-board"))


def _board_of(count: int) -> list[Ticket]:
    """Tickets of one institution filed two days ago, so every one of them is past its deadline."""
    requester = customer_with_subscription("premium")
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2)):
        return [TicketFactory(requester=requester) for _ in range(count)]


@pytest.fixture
def crowded_board():
    """120 tickets at risk: 100 past their deadline (half of them already recorded as breached by
    the sweep) and 20 only past their warning time (half of them already warned about)."""
    tickets = _board_of(120)
    now = timezone.now()
    ids = [t.pk for t in tickets]
    Ticket.objects.filter(pk__in=ids[:50]).update(breached_at=now, warned_at=now)
    Ticket.objects.filter(pk__in=ids[100:]).update(
        warning_due_at=now - datetime.timedelta(minutes=5),
        first_response_due_at=now + datetime.timedelta(hours=1),
    )
    Ticket.objects.filter(pk__in=ids[110:]).update(warned_at=now)
    TicketFactory()
    return ids


def test_board_counts_everything_at_risk_and_pages_the_worst_first(browser_client, lead, crowded_board):
    # given
    login(browser_client, lead)
    # when
    first = browser_client.get(reverse("desk-board")).content.decode()
    third = browser_client.get(reverse("desk-board"), {"page": 3}).content.decode()
    # then
    assert len(_rows(first)) == 50
    assert "120 tickets need attention" in first
    assert "100 past their deadline" in first
    assert "20 past their warning time" in first
    assert "Page 1 of 3" in first
    assert sorted(_rows(third)) == sorted(crowded_board[100:])


def test_board_partial_keeps_the_page_being_read(client, lead, crowded_board):
    # given
    login(client, lead)
    # when
    page = client.get(reverse("desk-board"), {"page": 2}).content.decode()
    partial = client.get(reverse("desk-board-partial"), {"page": 2}).content.decode()
    # then
    assert f'data-refresh-url="{reverse("desk-board-partial")}?page=2"' in page
    assert _rows(partial) == _rows(page)
    assert len(_rows(partial)) == 50


def test_board_leaves_out_answered_and_closed_tickets(client, lead):
    # given
    answered, closed, waiting = _board_of(3)
    Ticket.objects.filter(pk=answered.pk).update(first_responded_at=timezone.now())
    Ticket.objects.filter(pk=closed.pk).update(status=Ticket.Status.CLOSED)
    login(client, lead)
    # when
    page = client.get(reverse("desk-board")).content.decode()
    # then
    assert _rows(page) == [waiting.pk]


def test_board_query_count_does_not_grow_with_the_board(
    client, lead, crowded_board, django_assert_max_num_queries
):
    # given the breach forecast stored, as the beat keeps it
    forecast_refresh()
    login(client, lead)
    # then: the session, the person, the counts, one page of rows and which of the tickets
    # forecast to breach are still unanswered, however long the board
    with django_assert_max_num_queries(5):
        client.get(reverse("desk-board"), {"page": 2})


def test_board_counts_and_pages_match_a_straightforward_reading(lead):
    # given: every kind of ticket the board's parts tell apart, the sweep's flags and corrected
    # deadlines included
    now = timezone.now()
    past, future = now - datetime.timedelta(minutes=10), now + datetime.timedelta(hours=1)
    shapes = [
        # (warning_due_at, first_response_due_at, warned_at, breached_at, status, answered)
        (past, past, now, now, Ticket.Status.NEW, False),
        (future, future, now, now, Ticket.Status.OPEN, False),
        (past, future, now, None, Ticket.Status.NEW, False),
        (future, future, now, None, Ticket.Status.NEW, False),
        (past, past, None, None, Ticket.Status.WAITING, False),
        (past, future, None, None, Ticket.Status.OPEN, False),
        (future, past, None, None, Ticket.Status.NEW, False),
        (future, past, now, None, Ticket.Status.NEW, False),
        (future, future, None, None, Ticket.Status.NEW, False),
        (past, past, None, None, Ticket.Status.NEW, True),
        (past, past, now, now, Ticket.Status.CLOSED, False),
    ]
    for warning, deadline, warned, breached, status, answered in shapes:
        for _ in range(2):
            Ticket.objects.filter(pk=TicketFactory().pk).update(
                warning_due_at=warning,
                first_response_due_at=deadline,
                warned_at=warned,
                breached_at=breached,
                status=status,
                first_responded_at=now if answered else None,
            )
    tickets = list(Ticket.objects.all())
    on_board = [
        t
        for t in tickets
        if t.status in (Ticket.Status.NEW, Ticket.Status.OPEN, Ticket.Status.WAITING)
        and t.first_responded_at is None
        and (t.warning_due_at <= now or t.first_response_due_at <= now or t.breached_at is not None)
    ]
    breached = [t for t in on_board if t.breached_at is not None or t.first_response_due_at <= now]
    # when
    counts = ticket_board_counts(lead=lead, now=now)
    board = ticket_board_all_institutions(lead=lead, now=now)
    rows = ticket_board_page(board=board, start=0, stop=5) + ticket_board_page(board=board, start=5, stop=50)
    # then
    assert counts == {"total": 14, "breached": 10, "warning": 4}
    assert counts == {
        "total": len(on_board),
        "breached": len(breached),
        "warning": len(on_board) - len(breached),
    }
    ordered = sorted(on_board, key=lambda t: (t.first_response_due_at, t.priority, t.pk))
    assert [row.pk for row in rows] == [t.pk for t in ordered]


def test_countdown_is_amber_after_the_warning_time(client, engineer):
    # given: a Premium ticket (60 min) filed 50 minutes ago, past its 80 % warning time
    ticket = TicketFactory()
    Ticket.objects.filter(pk=ticket.pk).update(
        warning_due_at=timezone.now() - datetime.timedelta(minutes=2),
        first_response_due_at=timezone.now() + datetime.timedelta(minutes=10),
    )
    login(client, engineer)
    # when
    page = client.get(reverse("ticket-queue")).content.decode()
    # then
    assert 'class="countdown sla-near"' in page


def test_updating_a_development_item_that_does_not_exist_is_refused(browser_client, engineer):
    # given
    ticket = TicketFactory(kind="question")
    login(browser_client, engineer)
    # when
    response = browser_client.post(
        reverse("ticket-action", args=[ticket.pk, "development"]), {"development-state": "planned"}
    )
    # then
    assert response.status_code == 400
    assert "escalate it first" in response.content.decode()


def test_workspace_offers_to_take_an_unassigned_ticket(browser_client, engineer):
    # given
    ticket = TicketFactory()
    login(browser_client, engineer)
    # when
    page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then
    assert f'name="assign-assignee" value="{engineer.pk}"' in page


def test_engineer_takes_an_unassigned_ticket(client, engineer):
    # given
    ticket = TicketFactory()
    login(client, engineer)
    # when
    client.post(reverse("ticket-action", args=[ticket.pk, "assign"]), {"assign-assignee": str(engineer.pk)})
    # then
    ticket.refresh_from_db()
    assert ticket.assignee == engineer


def test_board_shows_the_tickets_forecast_to_breach_first(browser_client, settings, time_machine):
    # given four Premium tickets due at 11:00 and one engineer: at 10:15 the last two are at risk
    settings.FORECAST_BREACH_PROBABILITY = 0.5
    filed = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=3)))
    time_machine.move_to(filed, tick=False)
    lead = PersonFactory(role=Role.DESK_LEAD)
    PersonFactory(role=Role.SUPPORT_ENGINEER)
    tickets = [TicketFactory(at=filed + datetime.timedelta(seconds=i)) for i in range(4)]
    time_machine.move_to(filed + datetime.timedelta(minutes=15), tick=False)
    login(browser_client, lead)
    # when
    page = browser_client.get(reverse("desk-board")).content.decode()
    # then the forecast comes before the board's own rows, naming the cause and the what-if
    forecast = [int(n) for n in re.findall(r'<tr data-forecast-ticket="(\d+)"', page)]
    assert forecast == [tickets[2].pk, tickets[3].pk]
    assert page.index("board-forecast") < page.index("board-count")
    assert "2 tickets ahead of it, 1 engineer on duty" in page
    assert "with one more engineer on duty: 0" in page
