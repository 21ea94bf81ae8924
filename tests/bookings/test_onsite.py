import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F

from bookings import services
from bookings.documents import quote_pdf
from bookings.errors import OnsiteDaysShort
from bookings.models import OnsiteRequest
from packages.errors import QuotaExhausted
from packages.models import Allotment, QuotaEntry
from packages.selectors import quota_ledger_used
from tests.factories.bookings import future_day, onsite_requested


def _onsite(subscription) -> Allotment:
    return Allotment.objects.get(subscription=subscription, channel="onsite_days")


def test_premium_confirmation_draws_the_days(admin, staff, trainer, premium):
    # given
    visit = onsite_requested(admin, days=3)
    # when
    visit = services.onsite_confirm(actor=staff, visit=visit, engineer=trainer)
    # then
    assert (visit.status, visit.is_included) == (OnsiteRequest.Status.CONFIRMED, True)
    assert _onsite(premium).used == 3
    assert quota_ledger_used(subscription=premium, channel="onsite_days") == 3


def test_premium_request_for_more_days_than_remain_is_refused(admin, premium):
    # given
    Allotment.objects.filter(subscription=premium, channel="onsite_days").update(used=F("allotment") - 1)
    # when / then
    with pytest.raises(QuotaExhausted) as error:
        onsite_requested(admin, days=2)
    assert error.value.renews_on == premium.renews_on


def test_days_used_up_between_request_and_confirmation_refuse_it_and_write_nothing(
    admin, staff, trainer, premium
):
    # given
    visit = onsite_requested(admin, days=2)
    Allotment.objects.filter(subscription=premium, channel="onsite_days").update(used=F("allotment") - 1)
    # when
    with pytest.raises(QuotaExhausted):
        services.onsite_confirm(actor=staff, visit=visit, engineer=trainer)
    # then
    visit.refresh_from_db()
    assert visit.status == OnsiteRequest.Status.REQUESTED
    assert QuotaEntry.objects.filter(reference_type="onsite").count() == 0


def test_engineer_is_not_sent_to_two_places_on_one_day(admin, staff, trainer, stranger_admin):
    # given
    services.onsite_confirm(actor=staff, visit=onsite_requested(admin, days=2, first=10), engineer=trainer)
    clash = onsite_requested(stranger_admin, days=2, first=11)
    # when / then
    with pytest.raises(ValidationError) as error:
        services.onsite_confirm(actor=staff, visit=clash, engineer=trainer)
    assert "engineer" in error.value.message_dict


def test_standard_quote_is_day_rate_times_days_plus_vat(standard_admin, staff, settings):
    # given
    settings.ONSITE_VAT_RATE = Decimal("0.20")
    visit = onsite_requested(standard_admin, days=2)
    # when
    visit = services.onsite_quote(
        actor=staff, visit=visit, day_rate=Decimal("12500.00"), valid_until=future_day(5)
    )
    # then
    assert visit.status == OnsiteRequest.Status.QUOTED
    assert (visit.net_total, visit.vat_total, visit.gross_total) == (
        Decimal("25000.00"),
        Decimal("5000.00"),
        Decimal("30000.00"),
    )


def test_accepted_quote_is_scheduled_and_completed_without_drawing(standard_admin, staff, trainer):
    # given
    visit = onsite_requested(standard_admin, days=2)
    visit = services.onsite_quote(
        actor=staff, visit=visit, day_rate=Decimal("1000"), valid_until=future_day(5)
    )
    # when
    visit = services.onsite_quote_accept(actor=standard_admin, visit=visit)
    visit = services.onsite_confirm(actor=staff, visit=visit, engineer=trainer)
    visit = services.onsite_complete(actor=staff, visit=visit, report="Kurulum tamamlandı, 8 kişi eğitildi.")
    # then
    assert (visit.status, visit.report) == (
        OnsiteRequest.Status.COMPLETED,
        "Kurulum tamamlandı, 8 kişi eğitildi.",
    )
    assert QuotaEntry.objects.filter(reference_type="onsite").count() == 0


def test_declined_quote_ends_the_request(standard_admin, staff, trainer):
    # given
    visit = onsite_requested(standard_admin)
    visit = services.onsite_quote(
        actor=staff, visit=visit, day_rate=Decimal("1000"), valid_until=future_day(5)
    )
    # when
    visit = services.onsite_quote_decline(actor=standard_admin, visit=visit)
    # then
    assert visit.status == OnsiteRequest.Status.QUOTE_DECLINED
    with pytest.raises(ValidationError):
        services.onsite_confirm(actor=staff, visit=visit, engineer=trainer)


def test_quote_cannot_be_accepted_after_its_validity(standard_admin, staff):
    # given
    visit = onsite_requested(standard_admin, first=20)
    visit = services.onsite_quote(
        actor=staff, visit=visit, day_rate=Decimal("1000"), valid_until=future_day(3)
    )
    # when / then
    with time_machine.travel(datetime.timedelta(days=4)), pytest.raises(ValidationError) as error:
        services.onsite_quote_accept(actor=standard_admin, visit=visit)
    assert error.value.code == "quote_expired"


def test_unconfirmed_premium_request_is_not_quoted(admin, staff):
    # given
    visit = onsite_requested(admin)
    # when / then
    with pytest.raises(ValidationError) as error:
        services.onsite_quote(actor=staff, visit=visit, day_rate=Decimal("1000"), valid_until=future_day(5))
    assert error.value.code == "invalid_transition"


def test_another_institutions_admin_cannot_answer_a_quote(standard_admin, staff, stranger_admin):
    # given
    visit = onsite_requested(standard_admin)
    visit = services.onsite_quote(
        actor=staff, visit=visit, day_rate=Decimal("1000"), valid_until=future_day(5)
    )
    # when / then
    with pytest.raises(PermissionDenied):
        services.onsite_quote_accept(actor=stranger_admin, visit=visit)


def test_quote_pdf_renders_turkish(standard_admin, staff):
    # given
    visit = onsite_requested(standard_admin)
    visit = services.onsite_quote(
        actor=staff, visit=visit, day_rate=Decimal("12500"), valid_until=future_day(5)
    )
    # when
    pdf = quote_pdf(visit=visit, language="tr", compressed=False)
    # then: the embedded font maps its glyphs back to ı (U+0131) and ğ (U+011F), so they were drawn
    assert pdf.startswith(b"%PDF")
    assert b"0131" in pdf.upper()
    assert b"011F" in pdf.upper()


def _confirmed(admin, staff, trainer, *, days: int = 2) -> OnsiteRequest:
    return services.onsite_confirm(actor=staff, visit=onsite_requested(admin, days=days), engineer=trainer)


def test_institution_cancelling_more_than_48_hours_before_the_first_day_gets_the_days_back(
    admin, staff, trainer, premium
):
    # given
    visit = _confirmed(admin, staff, trainer)
    moment = visit.first_moment() - datetime.timedelta(hours=48, seconds=1)
    # when
    with time_machine.travel(moment, tick=False):
        visit = services.onsite_cancel(actor=admin, visit=visit)
    # then
    assert (visit.status, visit.units_returned) == (OnsiteRequest.Status.CANCELLED, 2)
    assert _onsite(premium).used == 0
    assert quota_ledger_used(subscription=premium, channel="onsite_days") == 0
    assert QuotaEntry.objects.filter(reference_type="onsite", reverses__isnull=False).count() == 1


def test_institution_cancelling_48_hours_or_less_before_the_first_day_keeps_the_days_used(
    admin, staff, trainer, premium
):
    # given
    visit = _confirmed(admin, staff, trainer)
    moment = visit.first_moment() - datetime.timedelta(hours=48)
    # when
    with time_machine.travel(moment, tick=False):
        visit = services.onsite_cancel(actor=admin, visit=visit)
    # then
    assert (visit.status, visit.units_returned) == (OnsiteRequest.Status.CANCELLED, 0)
    assert _onsite(premium).used == 2
    assert quota_ledger_used(subscription=premium, channel="onsite_days") == 2


def test_vendor_cancelling_always_gives_the_days_back(admin, staff, trainer, premium):
    # given
    visit = _confirmed(admin, staff, trainer, days=3)
    # when
    with time_machine.travel(visit.first_moment() - datetime.timedelta(hours=1), tick=False):
        visit = services.onsite_cancel(actor=staff, visit=visit, reason="Mühendis hasta")
    # then
    assert (visit.status, visit.units_returned) == (OnsiteRequest.Status.CANCELLED, 3)
    assert _onsite(premium).used == 0


def test_cancelling_twice_gives_the_days_back_once(admin, staff, trainer, premium):
    # given
    visit = services.onsite_cancel(actor=staff, visit=_confirmed(admin, staff, trainer))
    # when / then
    with pytest.raises(ValidationError) as error:
        services.onsite_cancel(actor=staff, visit=visit)
    assert error.value.code == "invalid_transition"
    assert _onsite(premium).used == 0


def test_partial_availability_names_what_is_left(admin, premium):
    # given: 6 days, 2 used
    Allotment.objects.filter(subscription=premium, channel="onsite_days").update(used=F("allotment") - 4)
    # when
    with pytest.raises(OnsiteDaysShort) as error:
        onsite_requested(admin, days=5)
    # then
    assert (error.value.requested, error.value.remaining, error.value.code) == (5, 4, "quota_exhausted")
    assert "4" in error.value.message()
    assert OnsiteRequest.objects.count() == 0


def test_premium_days_beyond_the_allotment_are_quoted_and_the_rest_drawn(admin, staff, trainer, premium):
    # given: 4 days left
    Allotment.objects.filter(subscription=premium, channel="onsite_days").update(used=F("allotment") - 4)
    visit = services.onsite_request(
        actor=admin,
        dates=[future_day(10 + i) for i in range(5)],
        address="Atatürk Bulvarı 1, Ankara",
        purpose="Kurulum",
        quote_extra=True,
    )
    # when: the Standard quote workflow, for the one day beyond
    visit = services.onsite_quote(
        actor=staff, visit=visit, day_rate=Decimal("1000"), valid_until=future_day(5)
    )
    visit = services.onsite_quote_accept(actor=admin, visit=visit)
    visit = services.onsite_confirm(actor=staff, visit=visit, engineer=trainer)
    # then
    assert (visit.units, visit.priced_days, visit.net_total) == (4, 1, Decimal("1000.00"))
    assert _onsite(premium).used == _onsite(premium).allotment
    assert quota_ledger_used(subscription=premium, channel="onsite_days") == 4
