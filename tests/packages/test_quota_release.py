from packages.models import Allotment, QuotaEntry
from packages.selectors import quota_ledger_used
from packages.services import quota_consume, quota_release
from tests.factories import SubscriptionFactory


def _consume(institution, reference_id, units=1):
    quota_consume(
        actor=None,
        institution=institution,
        channel="onsite_days",
        reference_type="onsite",
        reference_id=reference_id,
        units=units,
    )


def test_release_writes_a_reversing_entry_and_lowers_used(db):
    # given
    subscription = SubscriptionFactory(package_code="premium")
    _consume(subscription.institution, 7, units=3)
    # when
    released = quota_release(
        actor=None, institution=subscription.institution, reference_type="onsite", reference_id=7
    )
    # then
    reversal = QuotaEntry.objects.get(reverses__isnull=False)
    assert released == 3
    assert (reversal.units, reversal.reverses.units, reversal.channel) == (3, 3, "onsite_days")
    assert Allotment.objects.get(subscription=subscription, channel="onsite_days").used == 0
    assert quota_ledger_used(subscription=subscription, channel="onsite_days") == 0


def test_release_twice_gives_back_once(db):
    # given
    subscription = SubscriptionFactory(package_code="premium")
    _consume(subscription.institution, 8)
    _consume(subscription.institution, 9)
    quota_release(actor=None, institution=subscription.institution, reference_type="onsite", reference_id=8)
    # when
    again = quota_release(
        actor=None, institution=subscription.institution, reference_type="onsite", reference_id=8
    )
    # then
    assert again == 0
    assert QuotaEntry.objects.count() == 3
    assert Allotment.objects.get(subscription=subscription, channel="onsite_days").used == 1
    assert quota_ledger_used(subscription=subscription, channel="onsite_days") == 1


def test_release_never_touches_another_institutions_entries(db):
    # given
    ours = SubscriptionFactory(package_code="premium")
    theirs = SubscriptionFactory(package_code="premium")
    _consume(theirs.institution, 5)
    # when
    released = quota_release(
        actor=None, institution=ours.institution, reference_type="onsite", reference_id=5
    )
    # then
    assert released == 0
    assert Allotment.objects.get(subscription=theirs, channel="onsite_days").used == 1
