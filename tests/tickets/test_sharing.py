import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organizations.permissions import FeatureLocked
from organizations.roles import Role
from organizations.services import monitoring_grant_give
from tests.factories import (
    PersonFactory,
    RegionFactory,
    SubscriptionFactory,
    TicketFactory,
    UnitFactory,
    customer_with_subscription,
)
from tickets.models import TicketEvent, TicketShare
from tickets.selectors import ticket_can_share, ticket_share_list, ticket_visible_to
from tickets.services.sharing import ticket_share, ticket_unshare

pytestmark = pytest.mark.django_db


def test_requester_shares_with_a_named_person_who_then_sees_it(tree):
    # given
    requester, colleague = PersonFactory(unit=tree["unit1"]), PersonFactory(unit=tree["unit3"])
    ticket = TicketFactory(requester=requester)
    # when
    ticket_share(actor=requester, ticket=ticket, person=colleague)
    # then
    assert ticket in ticket_visible_to(person=colleague)


def test_share_with_a_person_records_a_shared_event(tree):
    # given
    requester, colleague = PersonFactory(unit=tree["unit1"]), PersonFactory(unit=tree["unit3"])
    ticket = TicketFactory(requester=requester)
    # when
    share = ticket_share(actor=requester, ticket=ticket, person=colleague)
    # then
    event = TicketEvent.objects.get(ticket=ticket, kind="shared")
    assert (event.actor, event.data["target"], event.data["target_id"]) == (requester, "person", colleague.pk)
    assert share.shared_by == requester


def test_share_with_a_unit_shows_the_ticket_to_its_members_only(tree):
    # given
    requester = PersonFactory(unit=tree["unit3"])
    member, outsider = PersonFactory(unit=tree["unit1"]), PersonFactory(unit=tree["unit2"])
    ticket = TicketFactory(requester=requester)
    # when
    ticket_share(actor=requester, ticket=ticket, unit=tree["unit1"])
    # then
    assert ticket in ticket_visible_to(person=member)
    assert ticket not in ticket_visible_to(person=outsider)


def test_share_with_a_region_shows_the_ticket_in_all_its_units(tree):
    # given
    requester = PersonFactory(unit=tree["unit3"])
    ticket = TicketFactory(requester=requester)
    # when
    ticket_share(actor=requester, ticket=ticket, region=tree["region1"])
    # then
    assert ticket in ticket_visible_to(person=PersonFactory(unit=tree["unit1"]))
    assert ticket in ticket_visible_to(person=PersonFactory(unit=tree["unit2"]))
    assert ticket not in ticket_visible_to(person=PersonFactory(unit=tree["unit3"]))


def test_sharing_twice_is_harmless(tree):
    # given
    requester, colleague = PersonFactory(unit=tree["unit1"]), PersonFactory(unit=tree["unit3"])
    ticket = TicketFactory(requester=requester)
    first = ticket_share(actor=requester, ticket=ticket, person=colleague)
    # when
    second = ticket_share(actor=requester, ticket=ticket, person=colleague)
    # then
    assert first == second
    assert TicketShare.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="shared").count() == 1


def test_unshare_takes_the_view_back(tree):
    # given
    requester, colleague = PersonFactory(unit=tree["unit1"]), PersonFactory(unit=tree["unit3"])
    ticket = TicketFactory(requester=requester)
    share = ticket_share(actor=requester, ticket=ticket, person=colleague)
    # when
    ticket_unshare(actor=requester, share=share)
    # then
    assert ticket not in ticket_visible_to(person=colleague)
    assert TicketEvent.objects.filter(ticket=ticket, kind="unshared", actor=requester).count() == 1


def test_unsharing_twice_is_harmless(tree):
    # given
    requester = PersonFactory(unit=tree["unit1"])
    ticket = TicketFactory(requester=requester)
    share = ticket_share(actor=requester, ticket=ticket, unit=tree["unit2"])
    ticket_unshare(actor=requester, share=share)
    # when
    ticket_unshare(actor=requester, share=share)
    # then
    assert TicketEvent.objects.filter(ticket=ticket, kind="unshared").count() == 1


def test_sharing_with_a_person_of_another_institution_is_refused(tree):
    # given
    requester = PersonFactory(unit=tree["unit1"])
    stranger = customer_with_subscription("premium")
    ticket = TicketFactory(requester=requester)
    # when / then
    with pytest.raises(ValidationError):
        ticket_share(actor=requester, ticket=ticket, person=stranger)
    assert ticket not in ticket_visible_to(person=stranger)
    assert not TicketShare.objects.exists()


def test_sharing_with_a_unit_of_another_institution_is_refused(tree):
    # given
    requester = PersonFactory(unit=tree["unit1"])
    other = SubscriptionFactory(package_code="premium").institution
    foreign_unit = UnitFactory(region=RegionFactory(institution=other))
    ticket = TicketFactory(requester=requester)
    # when / then
    with pytest.raises(ValidationError):
        ticket_share(actor=requester, ticket=ticket, unit=foreign_unit)
    assert not TicketShare.objects.exists()


def test_sharing_with_a_region_of_another_institution_is_refused(tree):
    # given
    requester = PersonFactory(unit=tree["unit1"])
    foreign_region = RegionFactory(institution=SubscriptionFactory(package_code="premium").institution)
    ticket = TicketFactory(requester=requester)
    # when / then
    with pytest.raises(ValidationError):
        ticket_share(actor=requester, ticket=ticket, region=foreign_region)
    assert not TicketShare.objects.exists()


def test_another_institutions_admin_cannot_share(tree):
    # given
    ticket = TicketFactory(requester=PersonFactory(unit=tree["unit1"]))
    foreign_admin = PersonFactory(
        role=Role.INSTITUTION_ADMIN, institution=SubscriptionFactory(package_code="premium").institution
    )
    # when / then
    with pytest.raises(PermissionDenied):
        ticket_share(actor=foreign_admin, ticket=ticket, region=tree["region1"])
    assert not TicketShare.objects.exists()


def test_sharing_needs_exactly_one_target(tree):
    # given
    requester = PersonFactory(unit=tree["unit1"])
    ticket = TicketFactory(requester=requester)
    # when / then
    with pytest.raises(ValidationError):
        ticket_share(actor=requester, ticket=ticket, unit=tree["unit2"], region=tree["region2"])


def test_sharing_with_the_requester_is_refused(tree):
    # given
    requester = PersonFactory(unit=tree["unit1"])
    ticket = TicketFactory(requester=requester)
    # when / then
    with pytest.raises(ValidationError):
        ticket_share(actor=requester, ticket=ticket, person=requester)


def test_sharing_with_an_inactive_person_is_refused(tree):
    # given
    requester = PersonFactory(unit=tree["unit1"])
    gone = PersonFactory(unit=tree["unit2"], is_active=False)
    ticket = TicketFactory(requester=requester)
    # when / then
    with pytest.raises(ValidationError):
        ticket_share(actor=requester, ticket=ticket, person=gone)


def test_customer_cannot_share_someone_elses_ticket_even_if_shared_with_them(tree):
    # given
    requester, colleague = PersonFactory(unit=tree["unit1"]), PersonFactory(unit=tree["unit1"])
    ticket = TicketFactory(requester=requester)
    ticket_share(actor=requester, ticket=ticket, person=colleague)
    # when / then
    with pytest.raises(PermissionDenied):
        ticket_share(actor=colleague, ticket=ticket, region=tree["region2"])


def test_unit_manager_with_grant_shares_a_ticket_of_their_unit(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    monitoring_grant_give(actor=tree["admin"], person=manager)
    ticket = TicketFactory(requester=PersonFactory(unit=tree["unit1"]))
    # when
    share = ticket_share(actor=manager, ticket=ticket, region=tree["region2"])
    # then
    assert share.shared_by == manager


def test_unit_manager_without_grant_cannot_share_their_units_ticket(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    ticket = TicketFactory(requester=PersonFactory(unit=tree["unit1"]))
    # when / then
    with pytest.raises(PermissionDenied):
        ticket_share(actor=manager, ticket=ticket, region=tree["region2"])


def test_unit_manager_cannot_share_a_ticket_of_another_unit(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    monitoring_grant_give(actor=tree["admin"], person=manager)
    ticket = TicketFactory(requester=PersonFactory(unit=tree["unit2"]))
    # when / then
    assert not ticket_can_share(person=manager, ticket=ticket)
    with pytest.raises(PermissionDenied):
        ticket_share(actor=manager, ticket=ticket, unit=tree["unit1"])


def test_region_manager_with_grant_shares_a_ticket_of_their_region(tree):
    # given
    manager = PersonFactory(role=Role.REGION_MANAGER, region=tree["region1"])
    monitoring_grant_give(actor=tree["admin"], person=manager)
    ticket = TicketFactory(requester=PersonFactory(unit=tree["unit2"]))
    # when
    ticket_share(actor=manager, ticket=ticket, unit=tree["unit3"])
    # then
    assert ticket in ticket_visible_to(person=PersonFactory(unit=tree["unit3"]))


def test_institution_admin_shares_any_ticket_of_the_institution(tree):
    # given
    ticket = TicketFactory(requester=PersonFactory(unit=tree["unit3"]))
    reader = PersonFactory(unit=tree["unit1"])
    # when
    ticket_share(actor=tree["admin"], ticket=ticket, person=reader)
    # then
    assert ticket in ticket_visible_to(person=reader)


def test_support_engineer_cannot_share(tree):
    # given
    ticket = TicketFactory(requester=PersonFactory(unit=tree["unit1"]))
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    # when / then
    with pytest.raises(PermissionDenied):
        ticket_share(actor=engineer, ticket=ticket, unit=tree["unit2"])


@pytest.mark.parametrize("package_code", ["standard", "professional"])
def test_silver_package_refuses_sharing_naming_the_gold_packages(package_code):
    # given
    requester = customer_with_subscription(package_code)
    colleague = PersonFactory(institution=requester.institution)
    ticket = TicketFactory(requester=requester)
    # when
    with pytest.raises(FeatureLocked) as refused:
        ticket_share(actor=requester, ticket=ticket, person=colleague)
    # then
    assert sorted(refused.value.packages) == ["Premium + SLA Paketi", "Premium SLA Paketi"]
    assert "Premium SLA Paketi" in str(refused.value)
    assert not TicketShare.objects.exists()


def test_share_list_shows_a_tickets_shares_to_who_sees_it(tree):
    # given
    requester = PersonFactory(unit=tree["unit1"])
    ticket = TicketFactory(requester=requester)
    share = ticket_share(actor=requester, ticket=ticket, unit=tree["unit2"])
    outsider = PersonFactory(unit=tree["unit3"])
    # when
    mine, theirs = (
        ticket_share_list(person=requester, ticket=ticket),
        ticket_share_list(person=outsider, ticket=ticket),
    )
    # then
    assert list(mine) == [share]
    assert list(theirs) == []
