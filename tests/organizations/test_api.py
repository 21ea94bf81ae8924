import pytest
from rest_framework.authtoken.models import Token

from organizations.models import AuditEvent, Region, Unit, User
from organizations.roles import Role
from organizations.services import region_create, unit_create
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard_admin(db):
    subscription = SubscriptionFactory(package_code="standard")
    return PersonFactory(institution=subscription.institution, role=Role.INSTITUTION_ADMIN)


def test_admin_lists_the_institutions_regions(client_for, admin):
    # given
    region = RegionFactory(institution=admin.institution)
    RegionFactory()
    # when
    response = client_for(admin).get("/api/v1/regions/")
    # then
    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == [region.pk]


def test_admin_creates_a_region_and_a_unit_in_it(client_for, admin):
    # given
    client = client_for(admin)
    # when
    region = client.post("/api/v1/regions/", {"name": "Ege"}).json()
    unit = client.post("/api/v1/units/", {"name": "İzmir", "region": region["id"]})
    # then
    assert unit.status_code == 201
    assert unit.json()["region"] == {"id": region["id"], "name": "Ege"}
    assert Unit.objects.get(pk=unit.json()["id"]).institution == admin.institution


def test_duplicate_region_name_is_refused(client_for, admin):
    # given
    region_create(actor=admin, institution=admin.institution, name="Ege")
    # when
    response = client_for(admin).post("/api/v1/regions/", {"name": "Ege"})
    # then
    assert response.status_code == 422
    assert Region.objects.filter(institution=admin.institution).count() == 1


def test_admin_renames_a_region_and_a_unit_recording_both(client_for, admin):
    # given
    region = region_create(actor=admin, institution=admin.institution, name="Ege")
    unit = UnitFactory(region=region, name="Bilgi İşlem")
    client = client_for(admin)
    # when
    region_answer = client.patch(f"/api/v1/regions/{region.pk}/", {"name": "Ege Bölgesi"}, format="json")
    unit_answer = client.patch(f"/api/v1/units/{unit.pk}/", {"name": "Bilgi Teknolojileri"}, format="json")
    # then
    assert (region_answer.status_code, region_answer.json()["name"]) == (200, "Ege Bölgesi")
    assert (unit_answer.status_code, unit_answer.json()["name"]) == (200, "Bilgi Teknolojileri")
    assert set(AuditEvent.objects.filter(institution=admin.institution).values_list("action", flat=True)) >= {
        "region.rename",
        "unit.rename",
    }


def test_renaming_to_a_taken_name_or_another_institutions_region_is_refused(client_for, admin):
    # given
    region_create(actor=admin, institution=admin.institution, name="Ege")
    marmara = region_create(actor=admin, institution=admin.institution, name="Marmara")
    foreign = RegionFactory()
    client = client_for(admin)
    # when
    taken = client.patch(f"/api/v1/regions/{marmara.pk}/", {"name": "Ege"}, format="json")
    empty = client.patch(f"/api/v1/regions/{marmara.pk}/", {"name": ""}, format="json")
    other = client.patch(f"/api/v1/regions/{foreign.pk}/", {"name": "Bizim"}, format="json")
    # then
    assert (taken.status_code, empty.status_code, other.status_code) == (422, 400, 404)
    marmara.refresh_from_db()
    foreign.refresh_from_db()
    assert (marmara.name, foreign.name) != ("Ege", "Bizim")


def test_unit_in_another_institutions_region_is_a_field_error(client_for, admin):
    # given
    foreign = RegionFactory()
    # when
    response = client_for(admin).post("/api/v1/units/", {"name": "X", "region": foreign.pk})
    # then
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["region"]
    assert not Unit.objects.filter(region=foreign).exists()


def test_units_filter_by_region(client_for, admin):
    # given
    unit = UnitFactory(region__institution=admin.institution)
    UnitFactory(region__institution=admin.institution)
    # when
    response = client_for(admin).get(f"/api/v1/units/?region={unit.region_id}")
    # then
    assert [u["id"] for u in response.json()] == [unit.pk]


def test_regions_are_locked_on_standard_naming_the_packages(client_for, standard_admin, catalogue):
    # when
    response = client_for(standard_admin).get("/api/v1/regions/")
    # then
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "feature_locked"
    assert error["packages"] == [catalogue["premium"].name, catalogue["premium_plus"].name]
    assert catalogue["premium_plus"].name in error["message"]


def test_region_creation_is_locked_on_standard(client_for, standard_admin):
    # when
    response = client_for(standard_admin).post("/api/v1/regions/", {"name": "Ege"})
    # then
    assert response.status_code == 403
    assert not Region.objects.exists()


def test_customer_cannot_manage_the_organization(client_for, customer):
    # when
    response = client_for(customer).get("/api/v1/people/")
    # then
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_engineer_cannot_manage_an_organization(client_for, engineer):
    # when
    response = client_for(engineer).get("/api/v1/regions/")
    # then
    assert response.status_code == 403


def test_admin_lists_the_institutions_people(client_for, admin, customer):
    # given
    PersonFactory(role=Role.CUSTOMER)
    # when
    results = client_for(admin).get("/api/v1/people/").json()["results"]
    # then
    assert sorted(p["id"] for p in results) == sorted([admin.pk, customer.pk])
    assert {p["role"] for p in results} == {"institution_admin", "customer"}


def test_people_filter_by_role(client_for, admin, customer):
    # when
    results = client_for(admin).get("/api/v1/people/?role=customer").json()["results"]
    # then
    assert [p["id"] for p in results] == [customer.pk]


@pytest.mark.parametrize("value", ["-1.7976931348623157e+308", "1.5", "0", str(2**63), "x"])
def test_people_filter_by_region_refuses_what_is_not_a_row_id(client_for, admin, value):
    # when
    response = client_for(admin).get("/api/v1/people/", {"region": value, "unit": value})
    # then
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"region", "unit"}


def test_people_filter_by_unit_keeps_its_people(client_for, admin):
    # given
    unit = UnitFactory(region__institution=admin.institution)
    member = PersonFactory(unit=unit, role=Role.CUSTOMER)
    PersonFactory(unit=UnitFactory(region=unit.region), role=Role.CUSTOMER)
    # when
    results = client_for(admin).get("/api/v1/people/", {"unit": unit.pk}).json()["results"]
    # then
    assert [p["id"] for p in results] == [member.pk]


def test_people_list_query_count_does_not_grow(client_for, admin, django_assert_max_num_queries):
    # given
    unit = UnitFactory(region__institution=admin.institution)
    for _ in range(6):
        PersonFactory(unit=unit, role=Role.CUSTOMER)
    client = client_for(admin)
    # when / then
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/people/")
    assert len(response.json()["results"]) == 7


def test_admin_adds_a_person(client_for, admin):
    # when
    response = client_for(admin).post(
        "/api/v1/people/", {"username": "ayse", "email": "ayse@example.test", "role": "unit_manager"}
    )
    # then
    assert response.status_code == 201
    person = User.objects.get(username="ayse")
    assert (person.institution, person.role) == (admin.institution, Role.UNIT_MANAGER)


def test_adding_a_vendor_role_is_a_field_error(client_for, admin):
    # when
    response = client_for(admin).post("/api/v1/people/", {"username": "x", "role": "support_engineer"})
    # then
    assert response.status_code == 400
    assert not User.objects.filter(username="x").exists()


def test_weak_password_is_a_field_error(client_for, admin):
    # when
    response = client_for(admin).post("/api/v1/people/", {"username": "x", "password": "123"})
    # then
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["password"]


def test_adding_beyond_the_user_cap_is_409(client_for, standard_admin):
    # given: Standard allows three people; the admin and two more take them
    for _ in range(2):
        PersonFactory(institution=standard_admin.institution, role=Role.CUSTOMER)
    # when
    response = client_for(standard_admin).post("/api/v1/people/", {"username": "fourth"})
    # then
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["cap"]) == ("user_cap_reached", 3)
    assert not User.objects.filter(username="fourth").exists()


def test_placing_a_person_in_a_unit_is_locked_on_standard(client_for, standard_admin):
    # given: a unit left from a time the institution held Premium
    unit = UnitFactory(region__institution=standard_admin.institution)
    # when
    response = client_for(standard_admin).post("/api/v1/people/", {"username": "x", "unit": unit.pk})
    # then
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "feature_locked"
    assert not User.objects.filter(username="x").exists()


def test_admin_places_a_person_in_a_unit(client_for, admin, customer):
    # given
    region = region_create(actor=admin, institution=admin.institution, name="Ege")
    unit = unit_create(actor=admin, institution=admin.institution, region=region, name="İzmir")
    # when
    response = client_for(admin).patch(f"/api/v1/people/{customer.pk}/", {"unit": unit.pk})
    # then
    assert response.status_code == 200
    assert (response.json()["unit"]["id"], response.json()["region"]["id"]) == (unit.pk, region.pk)


def test_admin_changes_a_persons_role(client_for, admin, customer):
    # when
    response = client_for(admin).patch(f"/api/v1/people/{customer.pk}/", {"role": "region_manager"})
    # then
    assert response.json()["role"] == "region_manager"
    assert User.objects.get(pk=customer.pk).role == Role.REGION_MANAGER


def test_admin_deactivates_a_person_whose_token_then_fails(client_for, admin, customer):
    # given
    customers_client = client_for(customer)
    # when
    response = client_for(admin).post(f"/api/v1/people/{customer.pk}/deactivate/")
    # then
    assert response.json()["is_active"] is False
    assert not Token.objects.filter(user=customer).exists()
    assert customers_client.get("/api/v1/me/").status_code == 401


def test_admin_cannot_deactivate_themselves(client_for, admin):
    # when
    response = client_for(admin).post(f"/api/v1/people/{admin.pk}/deactivate/")
    # then
    assert response.status_code == 422
    assert User.objects.get(pk=admin.pk).is_active


def test_reactivation_beyond_the_user_cap_is_409(client_for, standard_admin):
    # given: a deactivated person whose place was taken
    client = client_for(standard_admin)
    leaver = PersonFactory(institution=standard_admin.institution, role=Role.CUSTOMER)
    client.post(f"/api/v1/people/{leaver.pk}/deactivate/")
    for _ in range(2):
        PersonFactory(institution=standard_admin.institution, role=Role.CUSTOMER)
    # when
    response = client.post(f"/api/v1/people/{leaver.pk}/reactivate/")
    # then
    assert response.status_code == 409
    assert not User.objects.get(pk=leaver.pk).is_active


@pytest.mark.parametrize(("url", "rows"), [("/api/v1/regions/", 3), ("/api/v1/units/", 6)])
def test_tree_list_query_count_does_not_grow(client_for, admin, url, rows, django_assert_max_num_queries):
    # given
    for _ in range(3):
        region = RegionFactory(institution=admin.institution)
        UnitFactory.create_batch(2, region=region)
    client = client_for(admin)
    # when / then: token and person, role, package check, list
    with django_assert_max_num_queries(5):
        response = client.get(url)
    assert len(response.json()) == rows
