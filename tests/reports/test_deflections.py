"""Questions answered before a ticket, per month, on the institution report and the vendor's."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.articles import deflection_record
from reports.deflections import deflection_months
from reports.periods import Period
from tests.clients import login
from tests.factories.learning import solution_article
from tickets.services import ticket_file

pytestmark = pytest.mark.django_db


def _this_month() -> Period:
    today = timezone.localdate()
    first = today.replace(day=1)
    return Period(first, today)


def _deflect(person, subject: str):
    article = solution_article(title=subject, answer="Çözüm.")
    return deflection_record(
        actor=person, kind="article", object_id=article.pk, subject=subject, description=""
    )


def test_deflections_are_counted_per_month_with_the_units_saved(customer, stranger):
    # given
    _deflect(customer, "İmar planı boş")
    _deflect(customer, "Lisans hatası")
    _deflect(stranger, "Başka kurum")
    ticket_file(actor=customer, subject="Yine de", description="Açıyorum", suggestions_shown=["article:1"])
    # when
    [month] = deflection_months(institution_id=customer.institution_id, period=_this_month())
    # then
    assert (month.month, month.deflections, month.units_saved, month.filed_after_suggestions) == (
        timezone.localdate().replace(day=1),
        2,
        2,
        1,
    )


def test_a_deflection_appears_on_the_institution_report(browser_client, institution_admin, customer):
    # given
    _deflect(customer, "İmar planı boş")
    period = _this_month()
    client = login(browser_client, institution_admin)
    # when
    html = client.get(
        reverse("report-page") + f"?from={period.first:%Y-%m-%d}&to={period.last:%Y-%m-%d}",
    ).content.decode()
    # then
    assert 'data-testid="deflections"' in html
    assert "1 questions answered by a suggestion; 1 written support units saved." in html


def test_the_vendor_report_counts_every_institutions_deflections(
    browser_client, package_manager, customer, stranger
):
    # given
    _deflect(customer, "İmar planı boş")
    _deflect(stranger, "Lisans hatası")
    period = _this_month()
    client = login(browser_client, package_manager)
    # when
    html = client.get(
        reverse("vendor-report-page") + f"?from={period.first:%Y-%m-%d}&to={period.last:%Y-%m-%d}",
    ).content.decode()
    # then
    assert "2 questions answered by a suggestion; 2 written support units saved." in html


def test_another_month_is_not_counted(customer):
    # given
    _deflect(customer, "İmar planı boş")
    last_month_end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    # when
    months = deflection_months(
        institution_id=customer.institution_id, period=Period(last_month_end.replace(day=1), last_month_end)
    )
    # then
    assert months == []
