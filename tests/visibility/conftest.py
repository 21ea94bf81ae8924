import pytest

from organizations.roles import Role
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, UnitFactory


@pytest.fixture
def tree():
    """A Premium institution: region 1 with units 1 and 2, region 2 with unit 3, and its admin."""
    institution = SubscriptionFactory(package_code="premium").institution
    region1, region2 = RegionFactory(institution=institution), RegionFactory(institution=institution)
    return {
        "institution": institution,
        "region1": region1,
        "region2": region2,
        "unit1": UnitFactory(region=region1),
        "unit2": UnitFactory(region=region1),
        "unit3": UnitFactory(region=region2),
        "admin": PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution),
    }
