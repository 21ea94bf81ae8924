import pytest
from django.core.management import call_command

from bookings.models import OnboardingItem, OnsiteRequest, Workshop
from packages.models import Allotment

pytestmark = pytest.mark.django_db


def test_seed_demo_books_workshops_onsite_days_and_onboarding_once():
    # when
    call_command("seed_demo")
    call_command("seed_demo")
    # then
    assert sorted(Workshop.objects.values_list("status", flat=True)) == ["requested", "requested"]
    assert sorted(OnsiteRequest.objects.values_list("status", flat=True)) == ["quoted", "requested"]
    assert OnboardingItem.objects.count() == 2
    assert Allotment.objects.get(subscription__institution__slug="premium", channel="workshops").used == 0
