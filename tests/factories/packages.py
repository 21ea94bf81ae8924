import datetime

import factory
from django.db.models import F
from django.utils import timezone

from packages.models import Allotment, Package
from packages.services import subscription_sell

from .organizations import InstitutionFactory

# Figures for the range packages when a test does not care which one the contract fixed.
DEFAULT_FIGURES = {
    "premium": {
        "user_cap": 50,
        "figures": {"written": 1000, "phone": 1000, "remote": 1000, "onsite_days": 6, "workshops": 12},
    },
    "premium_plus": {"user_cap": 1000, "figures": {}},
}


class SubscriptionFactory(factory.Factory):
    """Sells a contract through the real service, so a test's subscription is what a sale makes."""

    class Meta:
        model = dict

    institution = factory.SubFactory(InstitutionFactory)
    package_code = "premium"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    user_cap = None
    figures = None

    @classmethod
    def _create(cls, model_class, *, institution, package_code, starts_on, user_cap, figures):
        defaults = DEFAULT_FIGURES.get(package_code, {})
        return subscription_sell(
            actor=None,
            institution=institution,
            package=Package.objects.get(code=package_code),
            starts_on=starts_on,
            user_cap=user_cap if user_cap is not None else defaults.get("user_cap"),
            figures=figures if figures is not None else defaults.get("figures"),
        )


def exhaust(subscription, channel="written"):
    Allotment.objects.filter(subscription=subscription, channel=channel).update(used=F("allotment"))
