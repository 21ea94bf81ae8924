import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.outbox import outbox_drain
from organizations.models import Region, User
from organizations.roles import Role
from tests.clients import login
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, TicketFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _add(**overrides):
    return {
        "action": "add",
        "add-username": "new.person",
        "add-first_name": "Ayşe",
        "add-last_name": "Yılmaz",
        "add-email": "ayse@example.test",
        "add-role": "customer",
        "add-password": "Str0ng-pass-2026",
    } | overrides


@pytest.fixture
def standard_admin(standard):
    return PersonFactory(role=Role.INSTITUTION_ADMIN, institution=standard.institution)


def test_people_page_lists_the_institutions_people(browser_client, institution_admin, customer, stranger):
    # given
    login(browser_client, institution_admin)
    # when
    page = browser_client.get(reverse("people")).content.decode()
    # then
    assert f'data-person="{customer.username}"' in page
    assert stranger.username not in page


def test_people_page_query_count_is_bounded(client, institution_admin, django_assert_max_num_queries):
    # given
    for _ in range(6):
        PersonFactory(role=Role.CUSTOMER, institution=institution_admin.institution)
    login(client, institution_admin)
    # then
    with django_assert_max_num_queries(12):
        response = client.get(reverse("people"))
    assert response.content.decode().count("data-person=") == 7


def test_admin_adds_a_person(client, institution_admin):
    # given
    login(client, institution_admin)
    # when
    response = client.post(reverse("people"), _add())
    # then
    assert response.status_code == 302
    person = User.objects.get(username="new.person")
    assert person.institution == institution_admin.institution
    assert person.check_password("Str0ng-pass-2026")


def test_adding_past_the_user_cap_is_refused_with_reason_and_keeps_fields(browser_client, standard_admin):
    # given: Standard allows 3 people; the admin holds one place
    PersonFactory(role=Role.CUSTOMER, institution=standard_admin.institution)
    PersonFactory(role=Role.CUSTOMER, institution=standard_admin.institution)
    login(browser_client, standard_admin)
    # when
    response = browser_client.post(reverse("people"), _add(**{"add-username": "fourth"}))
    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert "allows 3 people to receive support" in page
    assert 'value="fourth"' in page
    assert not User.objects.filter(username="fourth").exists()


def test_invite_mails_a_link(client, institution_admin, django_capture_on_commit_callbacks):
    # given
    login(client, institution_admin)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("people"),
            {"action": "invite", "invite-email": "guest@example.test", "invite-role": "customer"},
        )
    outbox_drain()
    # then
    assert User.objects.filter(email="guest@example.test", institution=institution_admin.institution).exists()
    assert len(mail.outbox) == 1


def test_weak_password_is_refused_next_to_the_field(browser_client, institution_admin):
    # given
    login(browser_client, institution_admin)
    # when
    response = browser_client.post(reverse("people"), _add(**{"add-password": "123"}))
    # then
    assert response.status_code == 400
    assert 'id="id_add-password_error"' in response.content.decode()


def test_deactivate_a_person(client, institution_admin, customer):
    # given
    login(client, institution_admin)
    # when
    client.post(reverse("person-active", args=[customer.pk]), {"active": "0"})
    # then
    customer.refresh_from_db()
    assert customer.is_active is False


def test_deactivating_another_institutions_person_is_not_found(client, institution_admin, stranger):
    # given
    login(client, institution_admin)
    # when
    response = client.post(reverse("person-active", args=[stranger.pk]), {"active": "0"})
    # then
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active is True


def test_customer_cannot_manage_people(client, customer):
    # given
    login(client, customer)
    # then
    assert client.get(reverse("people")).status_code == 403
    assert client.get(reverse("org-tree")).status_code == 403


def test_tree_is_locked_on_standard_with_what_premium_gives(browser_client, standard_admin):
    # given
    login(browser_client, standard_admin)
    # when
    page = browser_client.get(reverse("org-tree")).content.decode()
    # then
    assert 'data-testid="locked"' in page
    assert "Premium" in page
    assert "your package does not include it" in page


def test_creating_a_region_on_standard_is_refused(client, standard_admin):
    # given
    login(client, standard_admin)
    # when
    client.post(reverse("org-tree-region-create"), {"region-name": "North"})
    # then
    assert not Region.objects.filter(institution=standard_admin.institution).exists()


def test_premium_admin_creates_region_and_unit(client, institution_admin):
    # given
    login(client, institution_admin)
    # when
    client.post(reverse("org-tree-region-create"), {"region-name": "North"})
    region = Region.objects.get(institution=institution_admin.institution, name="North")
    client.post(reverse("org-tree-unit-create"), {"unit-region": str(region.pk), "unit-name": "Planning"})
    # then
    assert [u.name for u in region.units.all()] == ["Planning"]


def test_duplicate_region_name_is_refused_with_reason(browser_client, institution_admin):
    # given
    RegionFactory(institution=institution_admin.institution, name="North")
    login(browser_client, institution_admin)
    # when
    response = browser_client.post(reverse("org-tree-region-create"), {"region-name": "North"})
    # then
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_rename_region(client, institution_admin):
    # given
    region = RegionFactory(institution=institution_admin.institution, name="North")
    login(client, institution_admin)
    # when
    client.post(reverse("org-tree-region-rename", args=[region.pk]), {"rename-name": "Kuzey"})
    # then
    region.refresh_from_db()
    assert region.name == "Kuzey"


def test_renaming_another_institutions_region_is_not_found(client, institution_admin, stranger):
    # given
    region = RegionFactory(institution=stranger.institution, name="Theirs")
    login(client, institution_admin)
    # when
    response = client.post(reverse("org-tree-region-rename", args=[region.pk]), {"rename-name": "Mine"})
    # then
    assert response.status_code == 404


def test_move_person_into_unit(client, institution_admin, customer):
    # given
    unit = UnitFactory(region=RegionFactory(institution=institution_admin.institution))
    login(client, institution_admin)
    # when
    client.post(reverse("org-tree-person-move"), {"move-person": str(customer.pk), "move-unit": str(unit.pk)})
    # then
    customer.refresh_from_db()
    assert customer.unit == unit and customer.region == unit.region


def test_admin_sees_all_the_institutions_tickets(browser_client, institution_admin, customer, stranger):
    # given
    TicketFactory(requester=customer, subject="Colleague ticket")
    TicketFactory(requester=stranger, subject="Foreign ticket")
    login(browser_client, institution_admin)
    # when
    page = browser_client.get(reverse("ticket-list")).content.decode()
    # then
    assert "Colleague ticket" in page
    assert "Foreign ticket" not in page


def test_admin_home_links_to_people_and_tree(browser_client, institution_admin):
    # given
    login(browser_client, institution_admin)
    # when
    page = browser_client.get("/").content.decode()
    # then
    assert reverse("people") in page and reverse("org-tree") in page


def test_admin_of_expired_contract_cannot_add_people(browser_client):
    # given
    old = SubscriptionFactory(
        package_code="standard", starts_on=timezone.localdate() - datetime.timedelta(days=400)
    )
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=old.institution)
    login(browser_client, admin)
    # when
    response = browser_client.post(reverse("people"), _add())
    # then
    assert response.status_code == 400
    assert "no active support contract" in response.content.decode()


def test_rename_with_a_malformed_id_is_not_found(client, institution_admin):
    # given
    login(client, institution_admin)
    # when
    response = client.post("/institution/tree/units/abc/rename/", {"rename-name": "X"})
    # then
    assert response.status_code == 404


# Each tree action: its URL name, its URL arguments given a unit of the institution, a body.
TREE_ACTIONS = {
    "org-tree-region-create": (lambda unit: [], {"region-name": "North"}),
    "org-tree-unit-create": (lambda unit: [], {"unit-name": "Planning"}),
    "org-tree-person-move": (lambda unit: [], {"move-unit": ""}),
    "org-tree-region-rename": (lambda unit: [unit.region_id], {"rename-name": "Kuzey"}),
    "org-tree-unit-rename": (lambda unit: [unit.pk], {"rename-name": "Kuzey"}),
}


@pytest.mark.parametrize(("name", "action"), TREE_ACTIONS.items(), ids=TREE_ACTIONS.keys())
def test_tree_actions_are_refused_to_a_customer(client, customer, name, action):
    # given
    url_args, data = action
    unit = UnitFactory(region=RegionFactory(institution=customer.institution))
    login(client, customer)
    # when
    response = client.post(reverse(name, args=url_args(unit)), data)
    # then
    assert response.status_code == 403


def test_renaming_another_institutions_unit_is_not_found(client, institution_admin, stranger):
    # given
    unit = UnitFactory(region=RegionFactory(institution=stranger.institution), name="Theirs")
    login(client, institution_admin)
    # when
    response = client.post(reverse("org-tree-unit-rename", args=[unit.pk]), {"rename-name": "Mine"})
    # then
    assert response.status_code == 404
    unit.refresh_from_db()
    assert unit.name == "Theirs"


def test_moving_another_institutions_person_is_refused(client, institution_admin, stranger):
    # given
    unit = UnitFactory(region=RegionFactory(institution=institution_admin.institution))
    login(client, institution_admin)
    # when
    response = client.post(
        reverse("org-tree-person-move"), {"move-person": str(stranger.pk), "move-unit": str(unit.pk)}
    )
    # then
    assert response.status_code == 400
    stranger.refresh_from_db()
    assert stranger.unit is None


def test_creating_a_unit_in_another_institutions_region_is_refused(client, institution_admin, stranger):
    # given
    region = RegionFactory(institution=stranger.institution)
    login(client, institution_admin)
    # when
    response = client.post(
        reverse("org-tree-unit-create"), {"unit-region": str(region.pk), "unit-name": "Mine"}
    )
    # then
    assert response.status_code == 400
    assert not region.units.exists()


def test_tree_actions_answer_only_post(client, institution_admin):
    # given
    login(client, institution_admin)
    # when
    response = client.get(reverse("org-tree-region-create"))
    # then
    assert response.status_code == 405
