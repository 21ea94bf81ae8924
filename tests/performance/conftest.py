import pytest

from organizations.roles import Role
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, UnitFactory
from tests.factories.performance import ProductFactory, UsageKeyFactory


@pytest.fixture
def product(db):
    return ProductFactory(code="netcad")


@pytest.fixture
def org():
    """A Premium institution: region 1 with units 1 and 2, region 2 with unit 3; its admin, a person
    in each unit, and an installation key."""
    institution = SubscriptionFactory(package_code="premium").institution
    region1, region2 = RegionFactory(institution=institution), RegionFactory(institution=institution)
    unit1, unit2 = UnitFactory(region=region1), UnitFactory(region=region1)
    unit3 = UnitFactory(region=region2)
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)
    return {
        "institution": institution,
        "region1": region1,
        "region2": region2,
        "unit1": unit1,
        "unit2": unit2,
        "unit3": unit3,
        "admin": admin,
        "ayse": PersonFactory(username="ayse", email="Ayse@Example.test", unit=unit1),
        "mehmet": PersonFactory(username="mehmet", unit=unit2),
        "zeynep": PersonFactory(username="zeynep", unit=unit3),
        "key": UsageKeyFactory(institution=institution, actor=admin),
    }
