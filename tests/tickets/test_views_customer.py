import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from organizations.roles import Role
from packages.services import quota_consume
from tests.clients import login
from tests.factories import PersonFactory, SubscriptionFactory, TicketFactory, customer_with_subscription
from tests.factories.packages import exhaust
from tickets.models import Ticket
from tickets.services import ticket_change_status, ticket_note, ticket_reply

pytestmark = pytest.mark.django_db


def _ticket_data(**overrides):
    return {
        "kind": "problem",
        "product": "",
        "subject": "Map export stops",
        "description": "At 40 %, every time.",
    } | overrides


def test_home_shows_package_period_and_people_against_cap(browser_client, customer, premium):
    # given
    login(browser_client, customer)
    # when
    page = browser_client.get("/").content.decode()
    # then
    assert premium.package.name in page
    assert "1 of 50" in page


def test_home_shows_remaining_written_quota_as_bar(browser_client, customer, premium):
    # given
    quota_consume(
        actor=customer,
        institution=customer.institution,
        channel="written",
        reference_type="test",
        reference_id=1,
    )
    login(browser_client, customer)
    # when
    page = browser_client.get("/").content.decode()
    # then
    assert "999 of 1000 left" in page
    assert 'aria-valuenow="999"' in page


def test_home_shows_unlimited_channels_as_unlimited(browser_client):
    # given
    person = customer_with_subscription("premium_plus")
    login(browser_client, person)
    # when
    page = browser_client.get("/").content.decode()
    # then
    assert "Unlimited" in page
    assert "meter unlimited" in page


def test_home_shows_onsite_days_of_standard_as_priced_per_day(browser_client):
    # given
    person = customer_with_subscription("standard")
    login(browser_client, person)
    # when
    page = browser_client.get("/").content.decode()
    # then
    assert "Priced per day" in page
    assert "Priced separately" not in page


def test_home_without_contract_says_so(browser_client):
    # given
    person = PersonFactory(role=Role.CUSTOMER)
    login(browser_client, person)
    # when
    page = browser_client.get("/").content.decode()
    # then
    assert "no active support contract" in page


def test_new_ticket_form_shows_fields_with_labels(browser_client, customer):
    # given
    login(browser_client, customer)
    # when
    page = browser_client.get(reverse("ticket-new")).content.decode()
    # then
    for label in ("Kind", "Product", "Subject", "Description", "Attachments"):
        assert f">{label}" in page


def test_filing_a_ticket_redirects_to_it(browser_client, customer):
    # given
    login(browser_client, customer)
    # when
    response = browser_client.post(reverse("ticket-new"), _ticket_data())
    # then
    ticket = Ticket.objects.get(requester=customer)
    assert response.status_code == 302
    assert response.url == reverse("ticket-detail", args=[ticket.pk])
    assert ticket.subject == "Map export stops"


def test_filing_with_an_attachment_stores_it(browser_client, customer):
    # given
    login(browser_client, customer)
    upload = SimpleUploadedFile("error.log", b"Traceback ...", content_type="text/plain")
    # when
    browser_client.post(reverse("ticket-new"), _ticket_data(attachments=upload))
    # then
    ticket = Ticket.objects.get(requester=customer)
    assert [a.original_name for a in ticket.attachments.all()] == ["error.log"]


def test_exhausted_written_quota_is_announced_before_typing(browser_client, customer, premium):
    # given
    exhaust(premium)
    login(browser_client, customer)
    # when
    page = browser_client.get(reverse("ticket-new")).content.decode()
    # then
    assert 'data-testid="filing-blocked"' in page
    assert "allotment of 1000 for this contract year is used up" in page


def test_refused_submission_on_exhausted_quota_keeps_every_field(browser_client, customer, premium):
    # given
    exhaust(premium)
    login(browser_client, customer)
    # when
    response = browser_client.post(
        reverse("ticket-new"),
        _ticket_data(subject="Kept subject", description="Kept description", kind="bug"),
    )
    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="Kept subject"' in page
    assert "Kept description</textarea>" in page
    assert '<option value="bug" selected>' in page
    assert "is used up" in page
    assert not Ticket.objects.filter(requester=customer).exists()


def test_refused_submission_without_contract_says_so(browser_client):
    # given
    person = PersonFactory(role=Role.CUSTOMER)
    login(browser_client, person)
    # when
    response = browser_client.post(reverse("ticket-new"), _ticket_data(subject="Still here"))
    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert "has no active support contract" in page
    assert 'value="Still here"' in page


def test_refused_attachment_type_is_named_next_to_the_field(browser_client, customer):
    # given
    login(browser_client, customer)
    upload = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/octet-stream")
    # when
    response = browser_client.post(
        reverse("ticket-new"), _ticket_data(subject="With exe", attachments=upload)
    )
    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert "is not an accepted file type" in page
    assert 'value="With exe"' in page


def test_too_large_attachment_is_refused_with_the_limit(browser_client, customer, settings):
    # given
    settings.ATTACHMENT_MAX_BYTES = 10
    login(browser_client, customer)
    upload = SimpleUploadedFile("big.txt", b"x" * 50, content_type="text/plain")
    # when
    response = browser_client.post(reverse("ticket-new"), _ticket_data(attachments=upload))
    # then
    assert response.status_code == 400
    assert "files may be at most 10" in response.content.decode()


def test_missing_subject_is_an_error_next_to_the_field(browser_client, customer):
    # given
    login(browser_client, customer)
    # when
    response = browser_client.post(reverse("ticket-new"), _ticket_data(subject=""))
    # then
    assert response.status_code == 400
    assert 'id="id_subject_error"' in response.content.decode()


def test_my_tickets_lists_own_tickets_with_status_and_countdown(browser_client, customer):
    # given
    ticket = TicketFactory(requester=customer, subject="Where is my layer")
    login(browser_client, customer)
    # when
    page = browser_client.get(reverse("ticket-list")).content.decode()
    # then
    assert "Where is my layer" in page
    assert f'data-ticket="{ticket.pk}"' in page
    assert 'data-sla="running"' in page


def test_my_tickets_shows_development_item_state(browser_client, customer):
    # given
    TicketFactory(requester=customer, kind="bug")
    login(browser_client, customer)
    # when
    page = browser_client.get(reverse("ticket-list")).content.decode()
    # then
    assert "Received" in page


def test_my_tickets_query_count_does_not_grow_with_tickets(
    browser_client, customer, django_assert_max_num_queries
):
    # given
    for _ in range(8):
        TicketFactory(requester=customer, kind="bug")
    login(browser_client, customer)
    # then: session, the person with their institution, the page with each ticket's product,
    # requester and development item (all of them on it: no count needed), and the contract's
    # features for the menu (read once a minute per institution)
    with django_assert_max_num_queries(4):
        response = browser_client.get(reverse("ticket-list"))
    assert response.content.decode().count("data-ticket=") == 8


def test_my_tickets_counts_and_pages_when_the_first_page_is_full(
    browser_client, customer, django_assert_max_num_queries
):
    # given: one ticket more than a page
    from tickets.views import TICKET_PAGE

    tickets = [TicketFactory(requester=customer) for _ in range(TICKET_PAGE + 1)]
    login(browser_client, customer)
    # when / then: the count as well (and the menu's read of the contract)
    with django_assert_max_num_queries(5):
        first = browser_client.get(reverse("ticket-list")).content.decode()
    second = browser_client.get(reverse("ticket-list") + "?page=2").content.decode()
    # then: newest first, the oldest on the second page, the total said on both
    assert first.count("data-ticket=") == TICKET_PAGE
    assert f'data-ticket="{tickets[-1].pk}"' in first
    assert f'data-ticket="{tickets[0].pk}"' not in first
    assert second.count("data-ticket=") == 1
    assert f'data-ticket="{tickets[0].pk}"' in second
    assert f"{TICKET_PAGE + 1} tickets" in first
    assert "Page 1 of 2" in first


def test_home_query_count_is_capped(browser_client, customer, django_assert_max_num_queries):
    # given
    for _ in range(6):
        TicketFactory(requester=customer, kind="bug")
    login(browser_client, customer)
    # when / then: session, the person with their institution, the contract in force, its
    # allotments, the seats taken, the latest five tickets, the contract's features for the menu
    with django_assert_max_num_queries(7):
        response = browser_client.get("/")
    assert response.content.decode().count("data-ticket=") == 5


def test_my_tickets_does_not_list_a_colleagues_ticket(browser_client, customer):
    # given
    colleague = PersonFactory(role=Role.CUSTOMER, institution=customer.institution)
    TicketFactory(requester=colleague, subject="Colleague's question")
    login(browser_client, customer)
    # when
    page = browser_client.get(reverse("ticket-list")).content.decode()
    # then
    assert "Colleague's question" not in page


def test_answered_ticket_shows_answered_in_time(browser_client, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_reply(actor=engineer, ticket=ticket, body="Try the new driver.")
    login(browser_client, customer)
    # when
    page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then
    assert "Answered in time" in page
    assert "Try the new driver." in page


def test_ticket_page_hides_internal_notes_from_customer(browser_client, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_note(actor=engineer, ticket=ticket, body="Secret desk note")
    login(browser_client, customer)
    # when
    page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then
    assert "Secret desk note" not in page


def test_another_institutions_ticket_is_not_found(client, customer, stranger):
    # given
    ticket = TicketFactory(requester=stranger)
    login(client, customer)
    # when
    response = client.get(reverse("ticket-detail", args=[ticket.pk]))
    # then
    assert response.status_code == 404


def test_replying_to_another_institutions_ticket_is_not_found(client, customer, stranger):
    # given
    ticket = TicketFactory(requester=stranger)
    login(client, customer)
    # when
    response = client.post(reverse("ticket-action", args=[ticket.pk, "reply"]), {"reply-body": "hi"})
    # then
    assert response.status_code == 404


def test_customer_reply_is_added_to_conversation(client, customer):
    # given
    ticket = TicketFactory(requester=customer)
    login(client, customer)
    # when
    response = client.post(
        reverse("ticket-action", args=[ticket.pk, "reply"]), {"reply-body": "More detail."}
    )
    # then
    assert response.status_code == 302
    assert ticket.messages.get().body == "More detail."


def test_empty_reply_is_refused_next_to_the_field(browser_client, customer):
    # given
    ticket = TicketFactory(requester=customer)
    login(browser_client, customer)
    # when
    response = browser_client.post(reverse("ticket-action", args=[ticket.pk, "reply"]), {"reply-body": ""})
    # then
    assert response.status_code == 400
    assert 'id="id_reply-body_error"' in response.content.decode()


def test_customer_cannot_use_desk_actions(client, customer):
    # given
    ticket = TicketFactory(requester=customer)
    login(client, customer)
    # when
    response = client.post(reverse("ticket-action", args=[ticket.pk, "note"]), {"note-body": "x"})
    # then
    assert response.status_code == 403


def test_resolved_ticket_shows_reopen_and_reopens(browser_client, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    login(browser_client, customer)
    assert (
        "Reopen the ticket" in browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    )
    # when
    browser_client.post(reverse("ticket-reopen", args=[ticket.pk]))
    # then
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN


def test_open_ticket_offers_no_reopen(browser_client, customer):
    # given
    ticket = TicketFactory(requester=customer)
    login(browser_client, customer)
    # when
    page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then
    assert "Reopen the ticket" not in page


def test_customer_is_refused_desk_queue_and_board(client, customer):
    # given
    login(client, customer)
    # then
    assert client.get(reverse("ticket-queue")).status_code == 403
    assert client.get(reverse("ticket-queue-partial")).status_code == 403
    assert client.get(reverse("desk-board")).status_code == 403


def test_attachment_download_of_own_ticket(client, customer):
    # given
    login(client, customer)
    client.post(
        reverse("ticket-new"),
        _ticket_data(attachments=SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")),
    )
    attachment = Ticket.objects.get(requester=customer).attachments.get()
    # when
    response = client.get(reverse("attachment-download", args=[attachment.pk]))
    # then
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"hello"


def test_attachment_of_another_institution_is_not_found(client, customer, stranger):
    # given
    login(client, stranger)
    client.post(
        reverse("ticket-new"),
        _ticket_data(attachments=SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")),
    )
    attachment = Ticket.objects.get(requester=stranger).attachments.get()
    login(client, customer)
    # when
    response = client.get(reverse("attachment-download", args=[attachment.pk]))
    # then
    assert response.status_code == 404


def test_expired_contract_still_lets_customer_read_tickets(client):
    # given
    old = SubscriptionFactory(
        package_code="standard", starts_on=timezone.localdate() - datetime.timedelta(days=400)
    )
    person = PersonFactory(role=Role.CUSTOMER, institution=old.institution)
    login(client, person)
    # when
    response = client.get(reverse("ticket-list"))
    # then
    assert response.status_code == 200


def test_reply_attachment_is_shown_under_its_reply_only(browser_client, customer):
    # given
    ticket = TicketFactory(requester=customer)
    login(browser_client, customer)
    browser_client.post(
        reverse("ticket-action", args=[ticket.pk, "reply"]),
        {
            "reply-body": "Log attached",
            "reply-attachments": SimpleUploadedFile("trace.log", b"x", content_type="text/plain"),
        },
    )
    # when
    page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then
    assert page.count("trace.log") == 1
