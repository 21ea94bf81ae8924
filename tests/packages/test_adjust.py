import pytest
from django.core.exceptions import ValidationError

from packages.models import Allotment
from packages.services import quota_consume, subscription_adjust
from tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_adjust_changes_figure_within_range():
    # given
    subscription = SubscriptionFactory(package_code="premium")
    # when
    subscription_adjust(actor=None, subscription=subscription, figures={"written": 3000})
    # then
    assert Allotment.objects.get(subscription=subscription, channel="written").allotment == 3000


def test_adjust_outside_range_is_refused_per_field():
    # given
    subscription = SubscriptionFactory(package_code="premium")
    # when
    with pytest.raises(ValidationError) as refused:
        subscription_adjust(actor=None, subscription=subscription, figures={"written": 9000}, user_cap=2)
    # then
    assert set(refused.value.message_dict) == {"written", "user_cap"}
    assert Allotment.objects.get(subscription=subscription, channel="written").allotment == 1000


def test_adjust_below_what_was_used_is_refused():
    # given
    subscription = SubscriptionFactory(package_code="premium")
    quota_consume(
        actor=None,
        institution=subscription.institution,
        channel="onsite_days",
        reference_type="t",
        reference_id=1,
        units=5,
    )
    # when
    with pytest.raises(ValidationError) as refused:
        subscription_adjust(actor=None, subscription=subscription, figures={"onsite_days": 4})
    # then
    assert "onsite_days" in refused.value.message_dict


def test_adjust_user_cap_within_range():
    # given
    subscription = SubscriptionFactory(package_code="premium")
    # when
    subscription_adjust(actor=None, subscription=subscription, user_cap=120)
    # then
    subscription.refresh_from_db()
    assert subscription.user_cap == 120
