import pytest
from django.core.exceptions import ValidationError

from organizations.permissions import FeatureLocked
from organizations.roles import Role
from organizations.services import region_rename, unit_rename
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_region_rename_on_premium():
    # given
    subscription = SubscriptionFactory(package_code="premium")
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=subscription.institution)
    region = RegionFactory(institution=subscription.institution, name="North")
    # when
    region_rename(actor=admin, region=region, name="Kuzey")
    # then
    region.refresh_from_db()
    assert region.name == "Kuzey"


def test_unit_rename_to_a_sibling_name_is_refused():
    # given
    subscription = SubscriptionFactory(package_code="premium")
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=subscription.institution)
    region = RegionFactory(institution=subscription.institution)
    UnitFactory(region=region, name="Planning")
    unit = UnitFactory(region=region, name="Survey")
    # then
    with pytest.raises(ValidationError):
        unit_rename(actor=admin, unit=unit, name="Planning")


def test_region_rename_on_standard_is_locked():
    # given
    subscription = SubscriptionFactory(package_code="standard")
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=subscription.institution)
    region = RegionFactory(institution=subscription.institution, name="North")
    # then
    with pytest.raises(FeatureLocked):
        region_rename(actor=admin, region=region, name="Kuzey")
