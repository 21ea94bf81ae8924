"""The ledger's monthly roll-up (ReportQuotaMonth), kept by a trigger on packages' ledger: always
what summing the ledger gives, and what the report's burn-down reads. The trigger is
PostgreSQL's; elsewhere the burn-down sums the ledger itself, and follows it the same."""

import datetime

import pytest
from django.utils import timezone

from packages.models import QuotaEntry
from packages.services import quota_consume, quota_release
from reports.figures import quota_use
from reports.models import ReportQuotaMonth
from tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def _ledger_sums(subscription):
    sums: dict = {}
    for entry in QuotaEntry.objects.filter(subscription=subscription):
        key = (entry.channel, timezone.localtime(entry.consumed_at).date().replace(day=1))
        sums[key] = sums.get(key, 0) + (entry.units if entry.reverses_id is None else -entry.units)
    return sums


def _rolled_up(subscription):
    rows = ReportQuotaMonth.objects.filter(subscription_id=subscription.pk)
    return {(r.channel, r.month): r.units for r in rows}


def _written(subscription, today):
    return next(q for q in quota_use(subscription, today=today) if q["channel"] == "written")


class Ledger:
    """A contract used over two months, then changed as an operator or a bulk import would."""

    def __init__(self):
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.earlier = self.now - datetime.timedelta(days=40)
        self.subscription = SubscriptionFactory(
            package_code="premium", starts_on=self.today - datetime.timedelta(days=90)
        )

    def use_and_give_back(self):
        institution = self.subscription.institution
        for ref, channel, units, at in (
            (1, "onsite_days", 2, self.earlier),
            (2, "onsite_days", 1, self.now),
            (3, "written", 1, self.earlier),
            (4, "written", 1, self.now),
        ):
            quota_consume(
                actor=None,
                institution=institution,
                channel=channel,
                reference_type="ticket",
                reference_id=ref,
                units=units,
                at=at,
            )
        quota_release(
            actor=None, institution=institution, reference_type="ticket", reference_id=2, at=self.now
        )

    def move_one_and_delete_another(self):
        moved = QuotaEntry.objects.get(reference_id="4")
        QuotaEntry.objects.filter(pk=moved.pk).update(consumed_at=self.earlier, units=3)
        QuotaEntry.objects.filter(reference_id="3").delete()

    def add_two_in_one_statement(self):
        QuotaEntry.objects.bulk_create(
            [
                QuotaEntry(
                    subscription=self.subscription,
                    institution=self.subscription.institution,
                    channel="written",
                    units=1,
                    consumed_at=self.now,
                    reference_type="ticket",
                    reference_id=str(ref),
                )
                for ref in (5, 6)
            ]
        )


def test_roll_up_follows_uses_givings_back_changes_and_deletions(postgres):
    # given: a contract used over two months, a use given back
    ledger = Ledger()
    ledger.use_and_give_back()
    # then: the roll-up is the ledger's sums, the giving back counted negatively
    assert _rolled_up(ledger.subscription) == _ledger_sums(ledger.subscription)
    # when: an entry moves to another month and another is deleted
    ledger.move_one_and_delete_another()
    # then: still the ledger's sums, and a month left without entries has no row
    assert _rolled_up(ledger.subscription) == _ledger_sums(ledger.subscription)
    assert ("written", ledger.today.replace(day=1)) not in _rolled_up(ledger.subscription)
    # when: several entries of one month come in one statement
    ledger.add_two_in_one_statement()
    # then
    assert _rolled_up(ledger.subscription) == _ledger_sums(ledger.subscription)


def test_burn_down_follows_uses_givings_back_changes_and_deletions():
    # given: a contract used over two months, a use given back
    ledger = Ledger()
    ledger.use_and_give_back()
    # then
    used = {q["channel"]: q["used"] for q in quota_use(ledger.subscription, today=ledger.today)}
    assert (used["onsite_days"], used["written"]) == (2, 2)
    # when: an entry moves to another month and another is deleted
    ledger.move_one_and_delete_another()
    # then
    written = _written(ledger.subscription, ledger.today)
    assert written["used"] == 3
    assert [b["used"] for b in written["burn_down"]] == [3]
    # when: several entries of one month come in one statement
    ledger.add_two_in_one_statement()
    # then
    assert [b["used"] for b in _written(ledger.subscription, ledger.today)["burn_down"]] == [3, 5]
