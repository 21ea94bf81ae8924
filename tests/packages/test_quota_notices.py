import pytest

from organizations.roles import Role
from packages.models import QuotaNotice
from packages.services import quota_consume, quota_notice_send, quota_notice_sweep
from tests.factories import PersonFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def consume(subscription, times: int, channel: str = "written") -> None:
    for n in range(times):
        quota_consume(
            actor=None,
            institution=subscription.institution,
            channel=channel,
            reference_type="test",
            reference_id=n,
        )


@pytest.fixture
def standard():
    """A Standard contract (20 written tickets) with its institution admin."""
    subscription = SubscriptionFactory(package_code="standard")
    PersonFactory(role=Role.INSTITUTION_ADMIN, institution=subscription.institution, username="admin")
    return subscription


def test_no_notice_while_more_than_a_fifth_remains(standard):
    # when: 15 of 20 used, 5 (25 %) left
    consume(standard, 15)
    # then
    assert not QuotaNotice.objects.exists()


def test_low_notice_when_a_fifth_remains(standard):
    # when: 16 of 20 used, 4 (20 %) left
    consume(standard, 16)
    # then
    assert list(QuotaNotice.objects.values_list("channel", "level")) == [("written", "low")]


def test_each_notice_is_raised_once_per_subscription(standard):
    # when: the allotment is used to the end
    consume(standard, 20)
    # then
    assert sorted(QuotaNotice.objects.values_list("level", flat=True)) == ["exhausted", "low"]


def test_unlimited_channel_never_raises_a_notice():
    # given
    subscription = SubscriptionFactory(package_code="premium_plus")
    # when
    consume(subscription, 30)
    # then
    assert not QuotaNotice.objects.exists()


def test_notice_is_emailed_to_the_institution_admin_once(standard, mailoutbox):
    # given
    consume(standard, 16)
    notice = QuotaNotice.objects.get()
    # when: the task runs twice and the sweep once more
    quota_notice_send(notice_id=notice.pk)
    quota_notice_send(notice_id=notice.pk)
    quota_notice_sweep()
    # then
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["admin@example.test"]
    notice.refresh_from_db()
    assert notice.sent_at is not None


def test_sweep_sends_notices_whose_task_was_lost(standard, mailoutbox):
    # given: both notices raised, no task ran
    consume(standard, 20)
    # when
    sent = quota_notice_sweep()
    # then
    assert sent == 2 and len(mailoutbox) == 2
