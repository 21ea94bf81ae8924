"""The development item: one item for many reports of many institutions, its life, merging, and
who sees what of it (services, API and pages)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from notifications.models import Kind, Notification
from notifications.services.fanout import notification_fanout
from organizations.models import AuditEvent
from organizations.roles import Role
from tests.clients import login
from tests.factories import PersonFactory, TicketFactory
from tests.factories.tickets import customer_with_subscription
from tickets.models import DevelopmentItem, Ticket, TicketEvent
from tickets.services import (
    development_item_merge,
    development_item_update,
    ticket_escalate_to_development,
    ticket_note,
)
from tickets.services.development import TRANSITIONS

pytestmark = pytest.mark.django_db

State = DevelopmentItem.State


@pytest.fixture
def developer(db):
    return PersonFactory(role=Role.DEVELOPER)


@pytest.fixture
def three(engineer):
    """Bug reports of three institutions (Premium+, Premium, Standard), all linked to the first's item."""
    customers = [
        customer_with_subscription("premium_plus"),
        customer_with_subscription("premium"),
        customer_with_subscription("standard"),
    ]
    tickets = [
        TicketFactory(requester=person, kind="bug", subject=f"Harita katmanı açılmıyor {n}")
        for n, person in enumerate(customers)
    ]
    item = tickets[0].development_item
    for ticket in tickets[1:]:
        ticket_escalate_to_development(actor=engineer, ticket=ticket, item=item)
    item.refresh_from_db()
    return {"customers": customers, "tickets": tickets, "item": item}


def mails_to(person) -> int:
    return Notification.objects.filter(recipient=person, kind=Kind.DEVELOPMENT_UPDATED).count()


# --- one item, many institutions --------------------------------------------------------------


def test_linking_counts_the_reporting_institutions(three):
    # then
    assert three["item"].institutions_reporting == 3
    assert set(Ticket.objects.filter(development_item=three["item"])) == set(three["tickets"])


def test_each_customer_sees_the_item_and_the_count_never_the_other_tickets_api(three, client_for):
    for person, ticket in zip(three["customers"], three["tickets"], strict=True):
        # when
        body = client_for(person).get(f"/api/v1/tickets/{ticket.pk}/").json()
        listed = client_for(person).get("/api/v1/tickets/").json()["results"]
        # then
        item = body["development_item"]
        assert (item["id"], item["state"], item["institutions_reporting"]) == (
            three["item"].pk,
            "received",
            3,
        )
        assert {"planned_version", "planned_on", "released_version", "public_note"} <= item.keys()
        assert [row["id"] for row in listed] == [ticket.pk]
        assert client_for(person).get("/api/v1/development-items/").status_code == 403


def test_each_customer_sees_the_item_and_the_count_never_the_others_page(three, browser_client):
    others = [t.institution.name for t in three["tickets"][1:]]
    # given
    login(browser_client, three["customers"][0])
    # when
    page = browser_client.get(reverse("ticket-detail", args=[three["tickets"][0].pk])).content.decode()
    # then
    assert "reported by 3 institutions" in page
    assert not any(name in page for name in others)
    for other in three["tickets"][1:]:
        assert browser_client.get(reverse("ticket-detail", args=[other.pk])).status_code == 404


def test_customer_is_refused_the_development_queue(three, browser_client):
    # given
    login(browser_client, three["customers"][0])
    # when
    queue = browser_client.get(reverse("development-queue"))
    item = browser_client.get(reverse("development-item", args=[three["item"].pk]))
    # then
    assert (queue.status_code, item.status_code) == (403, 403)


# --- the item's life --------------------------------------------------------------------------


ALLOWED = [(old, new) for old in State.values for new in State.values if new in TRANSITIONS[old]]
FORBIDDEN = [
    (old, new) for old in State.values for new in State.values if new != old and new not in TRANSITIONS[old]
]


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_transitions_change_the_state(developer, old, new):
    # given
    item = DevelopmentItem.objects.create(title="T", state=old)
    # when
    development_item_update(actor=developer, item=item, state=new, declined_reason="Kapsam dışı")
    # then
    item.refresh_from_db()
    assert item.state == new


@pytest.mark.parametrize(("old", "new"), FORBIDDEN)
def test_forbidden_transitions_are_refused(developer, old, new):
    # given
    item = DevelopmentItem.objects.create(title="T", state=old)
    # when
    with pytest.raises(ValidationError):
        development_item_update(actor=developer, item=item, state=new, declined_reason="Kapsam dışı")
    # then
    item.refresh_from_db()
    assert item.state == old


def test_the_table_covers_every_state_and_releases_only_from_a_plan():
    assert set(TRANSITIONS) == set(State.values)
    assert {old for old, new in ALLOWED if new == State.RELEASED} == {State.PLANNED, State.IN_PROGRESS}


def test_declining_needs_a_reason(developer):
    # given
    item = DevelopmentItem.objects.create(title="T")
    # when / then
    with pytest.raises(ValidationError):
        development_item_update(actor=developer, item=item, state=State.DECLINED)


def test_a_state_change_notifies_each_requester_once(three, developer):
    # when
    development_item_update(
        actor=developer, item=three["item"], state=State.PLANNED, planned_on=datetime.date(2027, 3, 1)
    )
    notification_fanout()
    notification_fanout()
    # then
    assert [mails_to(person) for person in three["customers"]] == [1, 1, 1]
    assert TicketEvent.objects.filter(kind="development_updated").count() == 3


def test_a_change_the_customers_do_not_see_tells_nobody(three, developer):
    # when
    development_item_update(actor=developer, item=three["item"], public_note="Katman önbelleği")
    notification_fanout()
    # then
    assert [mails_to(person) for person in three["customers"]] == [0, 0, 0]


def test_planning_and_release_keep_their_moments_and_an_audit_row(three, developer):
    # when
    item = development_item_update(
        actor=developer, item=three["item"], state=State.PLANNED, planned_version="12.1"
    )
    item = development_item_update(actor=developer, item=item, state=State.RELEASED, released_version="12.1")
    # then
    assert item.planned_at is not None and item.released_at is not None
    assert AuditEvent.objects.filter(action="development_item.update", target_id=item.pk).count() == 2


def test_escalate_with_a_date_on_a_ticket_whose_item_exists_sets_the_date(client_for, customer, engineer):
    # given: a bug report, which has its item from the filing
    ticket = TicketFactory(requester=customer, kind="bug")
    # when
    response = client_for(engineer).post(
        f"/api/v1/tickets/{ticket.pk}/escalate/", {"expected_on": "2027-05-01", "note": "12.2 ile"}
    )
    # then
    assert response.status_code == 200
    assert (response.json()["planned_on"], response.json()["public_note"]) == ("2027-05-01", "12.2 ile")
    assert mails_to(customer) == 0
    notification_fanout()
    assert mails_to(customer) == 1


def test_escalate_with_kind_and_title_creates_an_item(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer, kind="question")
    # when
    response = client_for(engineer).post(
        f"/api/v1/tickets/{ticket.pk}/escalate/", {"kind": "feature", "title": "Toplu dışa aktarım"}
    )
    # then
    assert response.status_code == 201
    item = DevelopmentItem.objects.get(pk=response.json()["id"])
    assert (item.kind, item.title, item.institutions_reporting) == ("feature", "Toplu dışa aktarım", 1)


def test_escalate_to_an_existing_item_links_and_counts(client_for, engineer, three):
    # given
    ticket = TicketFactory(requester=customer_with_subscription("professional"), kind="question")
    # when
    response = client_for(engineer).post(f"/api/v1/tickets/{ticket.pk}/escalate/", {"item": three["item"].pk})
    # then
    assert (response.status_code, response.json()["institutions_reporting"]) == (201, 4)
    link = AuditEvent.objects.get(action="development_item.link", after__ticket=ticket.pk)
    assert (link.institution_id, link.target_id) == (ticket.institution_id, three["item"].pk)


def test_escalate_to_a_missing_item_is_refused(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(engineer).post(f"/api/v1/tickets/{ticket.pk}/escalate/", {"item": 999999})
    # then
    assert response.status_code == 400


# --- merging ----------------------------------------------------------------------------------


def test_merge_moves_the_tickets_and_notifies_once(three, developer, customer):
    # given: a second item reported by another customer
    other = TicketFactory(requester=customer, kind="bug")
    second = other.development_item
    # when
    into = development_item_merge(actor=developer, item=second, into=three["item"])
    development_item_merge(actor=developer, item=second, into=three["item"])
    notification_fanout()
    # then
    other.refresh_from_db()
    second.refresh_from_db()
    assert other.development_item_id == three["item"].pk
    assert (second.merged_into_id, into.institutions_reporting) == (three["item"].pk, 4)
    assert mails_to(customer) == 1
    assert [mails_to(person) for person in three["customers"]] == [0, 0, 0]


def test_merge_through_the_api(three, developer, customer, client_for):
    # given
    second = TicketFactory(requester=customer, kind="bug").development_item
    # when
    response = client_for(developer).post(
        f"/api/v1/development-items/{second.pk}/merge/", {"into": three["item"].pk}
    )
    listed = client_for(developer).get("/api/v1/development-items/").json()
    # then
    assert (response.status_code, response.json()["institutions_reporting"]) == (200, 4)
    assert second.pk not in [row["id"] for row in listed]


def test_an_item_is_not_merged_into_itself(three, developer):
    with pytest.raises(ValidationError):
        development_item_merge(actor=developer, item=three["item"], into=three["item"])


# --- the developer's reach --------------------------------------------------------------------


def test_developer_cannot_read_tickets_or_their_private_notes(three, developer, engineer, client_for):
    # given: an internal note on a linked ticket, and a ticket linked to nothing
    ticket = three["tickets"][0]
    ticket_note(actor=engineer, ticket=ticket, body="Gizli iç not")
    unlinked = TicketFactory()
    client = client_for(developer)
    # when
    item = client.get(f"/api/v1/development-items/{three['item'].pk}/")
    # then: the item with the linked tickets' public facts, nothing else
    assert item.status_code == 200
    assert sorted(t["id"] for t in item.json()["tickets"]) == sorted(t.pk for t in three["tickets"])
    assert "Gizli iç not" not in item.content.decode()
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404
    assert client.get(f"/api/v1/tickets/{ticket.pk}/replies/").status_code == 404
    assert client.get(f"/api/v1/tickets/{unlinked.pk}/").status_code == 404
    assert client.get("/api/v1/tickets/").json()["results"] == []
    assert client.get("/api/v1/queue/").status_code == 403


def test_developer_page_shows_linked_tickets_without_their_notes(three, developer, engineer, browser_client):
    # given
    ticket_note(actor=engineer, ticket=three["tickets"][0], body="Gizli iç not")
    login(browser_client, developer)
    # when
    page = browser_client.get(reverse("development-item", args=[three["item"].pk])).content.decode()
    ticket = browser_client.get(reverse("ticket-detail", args=[three["tickets"][0].pk]))
    # then
    assert three["tickets"][1].institution.name in page
    assert "Gizli iç not" not in page
    assert ticket.status_code in (403, 404)


def test_customer_cannot_change_an_item(three):
    with pytest.raises(PermissionDenied):
        development_item_update(actor=three["customers"][0], item=three["item"], state=State.TRIAGED)


# --- the queue --------------------------------------------------------------------------------


def test_queue_orders_by_the_best_package_priority(developer, client_for):
    # given: a Standard report and a Premium+ report on two items
    standard = TicketFactory(requester=customer_with_subscription("standard"), kind="bug").development_item
    gold = TicketFactory(requester=customer_with_subscription("premium_plus"), kind="bug").development_item
    # when
    rows = client_for(developer).get("/api/v1/development-items/").json()
    # then
    assert [row["id"] for row in rows] == [gold.pk, standard.pk]
    assert rows[0]["best_priority"] == 1


def test_queue_orders_by_institutions_reporting(three, developer, client_for):
    # given: a Premium+ item with one institution, after the three-institution item
    lone = TicketFactory(requester=customer_with_subscription("premium_plus"), kind="bug").development_item
    # when
    rows = client_for(developer).get("/api/v1/development-items/?order=institutions").json()
    # then
    assert [row["id"] for row in rows][:2] == [three["item"].pk, lone.pk]


def test_queue_filters_by_state_and_words(three, developer, client_for):
    # given
    TicketFactory(requester=customer_with_subscription("premium"), kind="bug", subject="Yazdırma hatası")
    client = client_for(developer)
    # when
    by_words = client.get("/api/v1/development-items/", {"q": "katmanı"}).json()
    by_state = client.get("/api/v1/development-items/", {"state": "planned"}).json()
    # then
    assert [row["id"] for row in by_words] == [three["item"].pk]
    assert by_state == []


def test_queue_list_query_count_does_not_grow(three, developer, client_for, django_assert_max_num_queries):
    # given
    for _ in range(5):
        TicketFactory(kind="bug")
    client = client_for(developer)
    # when / then
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/development-items/")
    assert len(response.json()) == 6


def test_create_and_patch_through_the_api(developer, client_for):
    # given
    client = client_for(developer)
    # when
    created = client.post("/api/v1/development-items/", {"title": "Yeni rapor", "kind": "feature"})
    patched = client.patch(
        f"/api/v1/development-items/{created.json()['id']}/",
        {"state": "triaged", "planned_version": "13.0"},
        format="json",
    )
    # then
    assert created.status_code == 201
    assert (patched.status_code, patched.json()["state"], patched.json()["planned_version"]) == (
        200,
        "triaged",
        "13.0",
    )


def test_patch_along_a_forbidden_transition_is_refused(developer, client_for):
    # given
    item = DevelopmentItem.objects.create(title="T")
    # when
    response = client_for(developer).patch(
        f"/api/v1/development-items/{item.pk}/", {"state": "released"}, format="json"
    )
    # then
    assert response.status_code in (409, 422)


def test_missing_item_is_404(developer, client_for):
    assert client_for(developer).get("/api/v1/development-items/999999/").status_code == 404


def test_queue_page_works_the_item(three, developer, browser_client):
    # given
    login(browser_client, developer)
    url = reverse("development-item", args=[three["item"].pk])
    # when
    queue = browser_client.get(reverse("development-queue"))
    response = browser_client.post(
        url,
        {
            "action": "update",
            "item-state": "triaged",
            "item-planned_version": "",
            "item-public_note": "Görüldü",
        },
    )
    # then
    assert three["item"].title in queue.content.decode()
    assert response.status_code == 302
    three["item"].refresh_from_db()
    assert (three["item"].state, three["item"].public_note) == ("triaged", "Görüldü")


def test_queue_page_shows_a_refused_transition(three, developer, browser_client):
    # given
    login(browser_client, developer)
    # when
    response = browser_client.post(
        reverse("development-item", args=[three["item"].pk]), {"action": "update", "item-state": "released"}
    )
    # then
    assert response.status_code == 400
    assert "cannot go from" in response.content.decode()
