"""Package checks: what the contract in force allows. Role checks stay in
organizations.permissions, which sits below packages and cannot read a contract; the refusal
itself (FeatureLocked) is defined there so that organizations' pages can show it."""

from django.utils.translation import gettext as _

from organizations.models import Institution
from organizations.permissions import FeatureLocked

from .selectors import package_list, subscription_get_active


def package_has_feature(institution: Institution, feature_field: str) -> bool:
    subscription = subscription_get_active(institution=institution)
    return bool(subscription and getattr(subscription.package, feature_field))


def region_management_lock(institution: Institution) -> FeatureLocked | None:
    """None when the contract in force includes region-based organisation management (Premium,
    Premium+); otherwise the FeatureLocked to show — pages use it to present the feature as
    locked, naming the packages that include it, without raising."""
    if package_has_feature(institution, "has_region_management"):
        return None
    return FeatureLocked(
        feature=_("Region-based organisation management"),
        packages=[p.name for p in package_list(on_sale_only=True) if p.has_region_management],
    )


def require_region_management(institution: Institution) -> None:
    """Region-based organisation management is a Gold feature (Premium, Premium+): the tree,
    monitoring grants and ticket sharing."""
    lock = region_management_lock(institution)
    if lock is not None:
        raise lock
