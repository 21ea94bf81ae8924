"""The share panel of the ticket page: who sees it, sharing and undoing, refusals, and Silver locked."""

import pytest
from django.urls import reverse

from organizations.roles import Role
from organizations.services import monitoring_grant_give
from tests.clients import login
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, TicketFactory, UnitFactory
from tickets.models import TicketEvent, TicketShare
from tickets.services import ticket_reply, ticket_share

pytestmark = pytest.mark.django_db


@pytest.fixture
def requester(unit):
    return PersonFactory(role=Role.CUSTOMER, unit=unit)


@pytest.fixture
def ticket(requester):
    return TicketFactory(requester=requester)


@pytest.fixture
def colleague(unit):
    return PersonFactory(role=Role.CUSTOMER, unit=unit, first_name="Zeynep", last_name="Kaya")


def _share_url(ticket):
    return reverse("ticket-action", args=[ticket.pk, "share"])


def _sharing_url(ticket):
    return reverse("ticket-sharing", args=[ticket.pk])


def test_requester_sees_the_share_panel_with_a_link_to_the_form(browser_client, requester, ticket, colleague):
    # given
    login(browser_client, requester)
    # when
    page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then: the panel, and the form's choices only when it is opened
    assert 'data-testid="share-panel"' in page
    assert f'href="{_sharing_url(ticket)}"' in page
    assert "Zeynep Kaya" not in page
    assert 'name="share-person"' not in page
    assert 'data-testid="share-locked"' not in page


def test_sharing_page_offers_the_institutions_people(browser_client, requester, ticket, colleague):
    # given
    login(browser_client, requester)
    # when
    page = browser_client.get(_sharing_url(ticket)).content.decode()
    # then: a page of its own, with the form posting to the ticket's share action
    assert "<html" in page
    assert "Zeynep Kaya" in page
    assert f'action="{_share_url(ticket)}"' in page


def test_share_panel_fetches_the_form_alone(browser_client, requester, ticket, colleague):
    # given
    login(browser_client, requester)
    # when
    response = browser_client.get(_sharing_url(ticket), HTTP_X_REQUESTED_WITH="fetch")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith("<form")
    assert "Zeynep Kaya" in page


def test_share_choices_hold_only_the_tickets_institution(browser_client, requester, ticket, stranger):
    # given
    foreign_unit = UnitFactory(region=RegionFactory(institution=stranger.institution), name="Yabancı Birim")
    login(browser_client, requester)
    # when
    page = browser_client.get(_sharing_url(ticket)).content.decode()
    # then
    assert stranger.username not in page
    assert foreign_unit.name not in page


def test_shared_colleague_cannot_open_the_sharing_page(browser_client, requester, ticket, colleague):
    # given
    ticket_share(actor=requester, ticket=ticket, person=colleague)
    login(browser_client, colleague)
    # when
    response = browser_client.get(_sharing_url(ticket))
    # then
    assert response.status_code == 403


def test_another_institutions_customer_gets_404_on_the_sharing_page(browser_client, stranger, ticket):
    # given
    login(browser_client, stranger)
    # when
    response = browser_client.get(_sharing_url(ticket))
    # then
    assert response.status_code == 404


def test_ticket_page_query_count_is_capped(
    browser_client, requester, ticket, colleague, django_assert_max_num_queries
):
    # given: a reply, a share and more people, units and regions than the form would list
    ticket_reply(actor=requester, ticket=ticket, body="Ek bilgi.")
    ticket_share(actor=requester, ticket=ticket, person=colleague)
    for _ in range(3):
        PersonFactory(
            role=Role.CUSTOMER, unit=UnitFactory(region=RegionFactory(institution=ticket.institution))
        )
    login(browser_client, requester)
    # when / then: session, the person with their institution, the ticket with its relations and
    # development item, the contract in force (for the share panel), the ticket's files, the
    # conversation and its files, the status changes shown in it, the shares, the contact
    # requests, and the contract's features for the menu (read once a minute per institution)
    with django_assert_max_num_queries(11):
        response = browser_client.get(reverse("ticket-detail", args=[ticket.pk]))
    assert response.status_code == 200


def test_requester_shares_with_a_colleague(browser_client, requester, ticket, colleague):
    # given
    login(browser_client, requester)
    # when
    response = browser_client.post(_share_url(ticket), {"share-person": colleague.pk})
    # then
    assert response.status_code == 302
    assert TicketShare.objects.get(ticket=ticket).person == colleague


def test_shared_colleague_finds_the_ticket_in_their_list(client, requester, ticket, colleague):
    # given
    ticket_share(actor=requester, ticket=ticket, person=colleague)
    login(client, colleague)
    # when
    page = client.get(reverse("ticket-list")).content.decode()
    # then
    assert reverse("ticket-detail", args=[ticket.pk]) in page


def test_requester_shares_with_a_region(browser_client, requester, ticket, unit):
    # given
    login(browser_client, requester)
    # when
    browser_client.post(_share_url(ticket), {"share-region": unit.region.pk})
    # then
    assert TicketShare.objects.get(ticket=ticket).region == unit.region


def test_share_with_two_targets_is_refused_and_keeps_the_choices(
    browser_client, requester, ticket, colleague, unit
):
    # given
    login(browser_client, requester)
    # when
    response = browser_client.post(_share_url(ticket), {"share-person": colleague.pk, "share-unit": unit.pk})
    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose one person, one unit or one region to share with." in page
    assert f'<option value="{colleague.pk}" selected>' in page
    assert not TicketShare.objects.exists()


def test_share_with_another_institutions_unit_is_refused_next_to_the_field(
    browser_client, requester, ticket, stranger
):
    # given
    foreign_unit = UnitFactory(region=RegionFactory(institution=stranger.institution))
    login(browser_client, requester)
    # when
    response = browser_client.post(_share_url(ticket), {"share-unit": foreign_unit.pk})
    # then
    assert response.status_code == 400
    assert 'id="id_share-unit_error"' in response.content.decode()
    assert not TicketShare.objects.exists()


def test_share_error_is_shown_in_turkish(client, requester, ticket, colleague, unit):
    # given: no language cookie, so the default language
    login(client, requester)
    # when
    response = client.post(_share_url(ticket), {"share-person": colleague.pk, "share-unit": unit.pk})
    # then
    assert "Paylaşmak için bir kişi, bir birim ya da bir bölge seçin." in response.content.decode()


def test_requester_undoes_a_share(browser_client, requester, ticket, colleague):
    # given
    share = ticket_share(actor=requester, ticket=ticket, person=colleague)
    login(browser_client, requester)
    # when
    response = browser_client.post(reverse("ticket-unshare", args=[ticket.pk, share.pk]))
    # then
    assert response.status_code == 302
    assert not TicketShare.objects.exists()
    assert TicketEvent.objects.filter(ticket=ticket, kind="unshared").count() == 1


def test_shared_colleague_sees_no_share_panel(browser_client, requester, ticket, colleague):
    # given
    ticket_share(actor=requester, ticket=ticket, person=colleague)
    login(browser_client, colleague)
    # when
    response = browser_client.get(reverse("ticket-detail", args=[ticket.pk]))
    # then
    assert response.status_code == 200
    assert 'data-testid="share-panel"' not in response.content.decode()


def test_shared_colleague_cannot_share_further(browser_client, requester, ticket, colleague, unit):
    # given
    ticket_share(actor=requester, ticket=ticket, person=colleague)
    login(browser_client, colleague)
    # when
    response = browser_client.post(_share_url(ticket), {"share-unit": unit.pk})
    # then
    assert response.status_code == 403
    assert TicketShare.objects.count() == 1


def test_shared_colleague_cannot_undo_the_share(browser_client, requester, ticket, colleague):
    # given
    share = ticket_share(actor=requester, ticket=ticket, person=colleague)
    login(browser_client, colleague)
    # when
    response = browser_client.post(reverse("ticket-unshare", args=[ticket.pk, share.pk]))
    # then
    assert response.status_code == 403
    assert TicketShare.objects.count() == 1


def test_unit_manager_with_a_grant_shares_their_units_ticket(
    browser_client, premium, unit, ticket, colleague
):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=unit)
    monitoring_grant_give(
        actor=PersonFactory(role=Role.INSTITUTION_ADMIN, institution=premium.institution), person=manager
    )
    login(browser_client, manager)
    # when
    response = browser_client.post(_share_url(ticket), {"share-person": colleague.pk})
    # then
    assert response.status_code == 302
    assert TicketShare.objects.get(ticket=ticket).shared_by == manager


def test_institution_admin_sees_the_share_panel(browser_client, institution_admin, ticket):
    # given
    login(browser_client, institution_admin)
    # when
    page = browser_client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then
    assert 'data-testid="share-panel"' in page


def test_engineer_sees_no_share_panel(browser_client, engineer, ticket):
    # given
    login(browser_client, engineer)
    # when
    response = browser_client.get(reverse("ticket-detail", args=[ticket.pk]))
    # then
    assert response.status_code == 200
    assert 'data-testid="share-panel"' not in response.content.decode()


def test_another_institutions_customer_gets_404_on_share(browser_client, stranger, ticket, unit):
    # given
    login(browser_client, stranger)
    # when
    response = browser_client.post(_share_url(ticket), {"share-unit": unit.pk})
    # then
    assert response.status_code == 404
    assert not TicketShare.objects.exists()


def test_another_institutions_admin_gets_404_on_undo(browser_client, requester, ticket, colleague):
    # given
    share = ticket_share(actor=requester, ticket=ticket, person=colleague)
    foreign_admin = PersonFactory(
        role=Role.INSTITUTION_ADMIN, institution=SubscriptionFactory(package_code="premium").institution
    )
    login(browser_client, foreign_admin)
    # when
    response = browser_client.post(reverse("ticket-unshare", args=[ticket.pk, share.pk]))
    # then
    assert response.status_code == 404
    assert TicketShare.objects.count() == 1


@pytest.fixture
def silver_ticket(standard):
    requester = PersonFactory(role=Role.CUSTOMER, institution=standard.institution)
    return TicketFactory(requester=requester)


def test_silver_shows_sharing_locked_with_the_packages(browser_client, silver_ticket):
    # given
    login(browser_client, silver_ticket.requester)
    # when
    page = browser_client.get(reverse("ticket-detail", args=[silver_ticket.pk])).content.decode()
    # then
    assert 'data-testid="share-locked"' in page
    assert "Premium SLA Paketi" in page
    assert 'name="share-person"' not in page


def test_silver_sharing_page_shows_the_lock(browser_client, silver_ticket):
    # given
    login(browser_client, silver_ticket.requester)
    # when
    page = browser_client.get(_sharing_url(silver_ticket)).content.decode()
    # then
    assert 'data-testid="share-locked"' in page
    assert 'name="share-person"' not in page


def test_silver_refuses_a_share_post(browser_client, standard, silver_ticket):
    # given
    colleague = PersonFactory(role=Role.CUSTOMER, institution=standard.institution)
    login(browser_client, silver_ticket.requester)
    # when
    response = browser_client.post(_share_url(silver_ticket), {"share-person": colleague.pk})
    # then
    assert response.status_code == 403
    assert not TicketShare.objects.exists()
