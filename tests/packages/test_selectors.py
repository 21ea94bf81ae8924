"""The contract in force is decided by Subscription.objects.in_force alone: the single-contract
selector, the SQL subquery of the visibility queries and the package feature checks follow it."""

import datetime

import pytest
from django.db.models import OuterRef
from django.utils import timezone

from organizations.models import Institution
from packages.models import SubscriptionQuerySet
from packages.permissions import package_has_feature
from packages.selectors import region_management_in_force, subscription_get_active
from tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def _gold_in_sql(institution) -> bool:
    return (
        Institution.objects.filter(pk=institution.pk)
        .annotate(gold=region_management_in_force(institution_id=OuterRef("pk")))
        .values_list("gold", flat=True)
        .get()
    )


def _three_readings(institution) -> tuple:
    return (
        subscription_get_active(institution=institution),
        bool(_gold_in_sql(institution)),
        package_has_feature(institution, "has_region_management"),
    )


def test_a_running_contract_is_in_force_for_every_reader():
    # given
    premium = SubscriptionFactory(package_code="premium")
    # when
    readings = _three_readings(premium.institution)
    # then
    assert readings == (premium, True, True)


def test_an_ended_contract_is_in_force_for_no_reader():
    # given: a Premium contract that ended days ago
    ended = SubscriptionFactory(
        package_code="premium", starts_on=timezone.localdate() - datetime.timedelta(days=370)
    )
    # when
    readings = _three_readings(ended.institution)
    # then
    assert ended.ends_on < timezone.localdate()
    assert readings == (None, False, False)


def test_a_grace_period_is_one_change_to_in_force(monkeypatch):
    # given: the same ended contract, with a 30-day grace period added to in_force only
    ended = SubscriptionFactory(
        package_code="premium", starts_on=timezone.localdate() - datetime.timedelta(days=370)
    )

    def in_force_with_grace(self, *, on):
        return self.filter(starts_on__lte=on, ends_on__gte=on - datetime.timedelta(days=30)).order_by(
            "-starts_on"
        )

    monkeypatch.setattr(SubscriptionQuerySet, "in_force", in_force_with_grace)
    # when
    readings = _three_readings(ended.institution)
    # then
    assert readings == (ended, True, True)
