import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone, translation

from packages.errors import ChannelNotIncluded, NoActiveSubscription, QuotaExhausted
from packages.models import Allotment, Package, QuotaEntry, Subscription
from packages.services import quota_consume, subscription_sell
from tests.factories import InstitutionFactory, PersonFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_sale_copies_the_package_terms_into_the_contract():
    # given
    institution = InstitutionFactory()
    package = Package.objects.get(code="professional")
    # when
    subscription = subscription_sell(
        actor=None, institution=institution, package=package, starts_on=datetime.date(2026, 3, 1)
    )
    # then
    assert subscription.ends_on == datetime.date(2027, 2, 28)
    assert (subscription.priority, subscription.first_response_minutes, subscription.user_cap) == (3, 90, 5)
    figures = {a.channel: (a.allotment, a.is_unlimited, a.is_included) for a in subscription.allotments.all()}
    assert figures == {
        "written": (125, False, True),
        "phone": (100, False, True),
        "remote": (75, False, True),
        "onsite_days": (None, False, False),
        "workshops": (None, False, False),
    }


def test_catalogue_edit_leaves_running_contract_untouched():
    # given
    subscription = SubscriptionFactory(package_code="standard")
    package = Package.objects.get(code="standard")
    # when
    package.first_response_minutes = 15
    package.priority = 1
    package.save()
    package.channels.filter(channel="written").update(minimum=99, maximum=99)
    # then
    subscription.refresh_from_db()
    assert (subscription.first_response_minutes, subscription.priority) == (120, 4)
    assert subscription.allotments.get(channel="written").allotment == 20


def test_premium_figure_outside_range_is_refused_with_translated_message():
    # given
    institution = InstitutionFactory()
    package = Package.objects.get(code="premium")
    # when
    with translation.override("tr"), pytest.raises(ValidationError) as error:
        subscription_sell(
            actor=None,
            institution=institution,
            package=package,
            starts_on=timezone.localdate(),
            user_cap=600,
            figures={"written": 999, "phone": 1000, "remote": 1000, "onsite_days": 13, "workshops": 12},
        )
    # then
    fields = error.value.message_dict
    assert set(fields) == {"user_cap", "written", "onsite_days"}
    assert "1000" in fields["written"][0] and "5000" in fields["written"][0]
    assert "arasında" in fields["written"][0]
    assert not Subscription.objects.filter(institution=institution).exists()


def test_premium_range_figure_must_be_chosen():
    # given
    institution = InstitutionFactory()
    # when
    with pytest.raises(ValidationError) as error:
        subscription_sell(
            actor=None,
            institution=institution,
            package=Package.objects.get(code="premium"),
            starts_on=timezone.localdate(),
            user_cap=10,
            figures={},
        )
    # then
    assert set(error.value.message_dict) == {"written", "phone", "remote", "onsite_days", "workshops"}


def test_unknown_channel_in_sale_is_refused():
    # given
    institution = InstitutionFactory()
    # when
    with pytest.raises(ValidationError) as error:
        subscription_sell(
            actor=None,
            institution=institution,
            package=Package.objects.get(code="standard"),
            starts_on=timezone.localdate(),
            figures={"fax": 3},
        )
    # then
    assert "fax" in error.value.message_dict


def test_overlapping_contract_is_refused():
    # given
    subscription = SubscriptionFactory(package_code="standard")
    # when
    with pytest.raises(ValidationError) as error:
        SubscriptionFactory(package_code="professional", institution=subscription.institution)
    # then
    assert "starts_on" in error.value.message_dict


def test_consume_returns_remaining_and_records_entry():
    # given
    subscription = SubscriptionFactory(package_code="standard")
    actor = PersonFactory(institution=subscription.institution)
    # when
    remaining = quota_consume(
        actor=actor,
        institution=subscription.institution,
        channel="written",
        reference_type="ticket",
        reference_id=7,
    )
    # then
    assert remaining == 19
    entry = QuotaEntry.objects.get(subscription=subscription)
    assert (entry.channel, entry.units, entry.consumed_by, entry.reference_id) == ("written", 1, actor, "7")


def test_exhausted_channel_raises_with_channel_allotment_and_renewal():
    # given
    subscription = SubscriptionFactory(package_code="standard")
    institution = subscription.institution
    quota_consume(
        actor=None, institution=institution, channel="phone", units=20, reference_type="t", reference_id=1
    )
    # when
    with pytest.raises(QuotaExhausted) as error:
        quota_consume(
            actor=None, institution=institution, channel="phone", reference_type="t", reference_id=2
        )
    # then
    assert (error.value.channel, error.value.allotment) == ("phone", 20)
    assert error.value.renews_on == subscription.ends_on + datetime.timedelta(days=1)
    assert QuotaEntry.objects.filter(subscription=subscription).count() == 1
    assert Allotment.objects.get(subscription=subscription, channel="phone").used == 20


def test_exhausted_message_is_turkish_by_default():
    # given
    error = QuotaExhausted(channel="written", allotment=20, renews_on=datetime.date(2027, 1, 1))
    # when
    with translation.override("tr"):
        message = str(error)
    # then
    assert "Yazılı destek" in message and "20" in message


def test_unlimited_channel_is_never_blocked_but_counted():
    # given
    subscription = SubscriptionFactory(package_code="premium_plus")
    # when
    results = [
        quota_consume(
            actor=None,
            institution=subscription.institution,
            channel="written",
            units=500,
            reference_type="t",
            reference_id=i,
        )
        for i in range(3)
    ]
    # then
    assert results == [None, None, None]
    assert Allotment.objects.get(subscription=subscription, channel="written").used == 1500


def test_channel_priced_separately_is_refused():
    # given
    subscription = SubscriptionFactory(package_code="professional")
    # when / then
    with pytest.raises(ChannelNotIncluded):
        quota_consume(
            actor=None,
            institution=subscription.institution,
            channel="onsite_days",
            reference_type="b",
            reference_id=1,
        )


def test_expired_subscription_refuses_consumption():
    # given
    subscription = SubscriptionFactory(
        package_code="standard", starts_on=timezone.localdate() - datetime.timedelta(days=400)
    )
    # when
    with pytest.raises(NoActiveSubscription) as error:
        quota_consume(
            actor=None,
            institution=subscription.institution,
            channel="written",
            reference_type="t",
            reference_id=1,
        )
    # then
    assert error.value.ended_on == subscription.ends_on
    assert not QuotaEntry.objects.exists()


def test_unknown_channel_is_a_validation_error():
    # given
    subscription = SubscriptionFactory(package_code="standard")
    # when / then
    with pytest.raises(ValidationError):
        quota_consume(
            actor=None,
            institution=subscription.institution,
            channel="fax",
            reference_type="t",
            reference_id=1,
        )


# serialized_rollback: the catalogue and role groups are migration data, which the flush after
# every transactional test removes; each such test restores them for itself.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_consumption_never_exceeds_allotment(postgres):
    # given: an allotment of 20 and 50 consumers on their own connections
    subscription = SubscriptionFactory(package_code="standard")
    institution = subscription.institution
    barrier = threading.Barrier(50)
    outcomes: list[str] = []
    lock = threading.Lock()

    def consume(i: int) -> None:
        try:
            barrier.wait()
            quota_consume(
                actor=None, institution=institution, channel="written", reference_type="t", reference_id=i
            )
            result = "ok"
        except QuotaExhausted:
            result = "exhausted"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    # when
    threads = [threading.Thread(target=consume, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert connection.vendor == "postgresql"
    assert outcomes.count("ok") == 20
    assert outcomes.count("exhausted") == 30
    assert Allotment.objects.get(subscription=subscription, channel="written").used == 20
    assert QuotaEntry.objects.filter(subscription=subscription).count() == 20
