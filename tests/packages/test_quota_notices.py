import pytest

from core.outbox import outbox_drain
from organizations.roles import Role
from packages.models import QuotaNotice
from packages.services import quota_consume, quota_notice_send, quota_notice_sweep, quota_release
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
    outbox_drain()
    # then
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["admin@example.test"]
    notice.refresh_from_db()
    assert notice.sent_at is not None


def test_sweep_sends_notices_whose_task_was_lost(standard, mailoutbox):
    # given: the low notice raised, no task ran
    consume(standard, 16)
    # when
    sent = quota_notice_sweep()
    outbox_drain()
    # then
    assert sent == 1 and len(mailoutbox) == 1


def test_one_use_crossing_both_thresholds_raises_only_the_used_up_notice(standard):
    # given: 15 of 20 used, 5 (25 %) left
    consume(standard, 15)
    # when: one use of 5 units crosses 20 % and 0 at once
    quota_consume(
        actor=None,
        institution=standard.institution,
        channel="written",
        reference_type="test",
        reference_id="x",
        units=5,
    )
    # then
    assert list(QuotaNotice.objects.values_list("level", flat=True)) == ["exhausted"]


def test_one_notice_per_crossing_however_many_uses_follow(standard):
    # when: 16, 17, 18 and 19 of 20 used, one at a time
    consume(standard, 19)
    # then
    assert list(QuotaNotice.objects.values_list("level", flat=True)) == ["low"]


def test_low_notice_pending_when_the_channel_runs_out_is_withdrawn(standard, mailoutbox):
    # given: the low notice raised at 16 but not sent, then the channel ran out
    consume(standard, 20)
    # when
    sent = quota_notice_sweep()
    outbox_drain()
    # then: only the used-up e-mail goes out; no "20 % left" saying 0 left
    assert sent == 1 and len(mailoutbox) == 1
    assert "used up" in mailoutbox[0].subject or "tükendi" in mailoutbox[0].subject
    assert list(QuotaNotice.objects.values_list("level", flat=True)) == ["exhausted"]


def test_notice_figures_come_from_the_ledger_at_sending_time(standard, mailoutbox, settings):
    # given: the low notice raised at 16 used (4 left), one more used before it is sent
    settings.LANGUAGE_CODE = "en"
    consume(standard, 16)
    quota_consume(
        actor=None,
        institution=standard.institution,
        channel="written",
        reference_type="test",
        reference_id="y",
    )
    # when
    quota_notice_sweep()
    outbox_drain()
    # then
    assert mailoutbox[0].body.startswith("3 of the 20 units of Written support")


def test_notice_no_longer_true_when_sent_is_withdrawn_and_can_be_raised_again(standard, mailoutbox):
    # given: the low notice raised at 16 used, then two units given back (4 + 2 = 6 left, 30 %)
    consume(standard, 16)
    quota_release(actor=None, institution=standard.institution, reference_type="test", reference_id=0)
    quota_release(actor=None, institution=standard.institution, reference_type="test", reference_id=1)
    # when
    sent = quota_notice_sweep()
    outbox_drain()
    # then: nothing is sent, and the next crossing notifies again
    assert sent == 0 and mailoutbox == []
    assert not QuotaNotice.objects.exists()
    consume_more = [f"again-{n}" for n in range(2)]
    for reference in consume_more:
        quota_consume(
            actor=None,
            institution=standard.institution,
            channel="written",
            reference_type="test",
            reference_id=reference,
        )
    assert list(QuotaNotice.objects.values_list("level", flat=True)) == ["low"]
