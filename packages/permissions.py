"""Package checks: what the contract in force allows. Role checks stay in
organizations.permissions, which sits below packages and cannot read a contract; the refusal
itself (FeatureLocked) is defined there so that organizations' pages can show it."""

from django.utils.translation import gettext as _

from organizations.models import Institution
from organizations.permissions import FeatureLocked
from organizations.selectors import seat_count

from .errors import NoActiveSubscription, UserCapReached
from .selectors import package_list, subscription_get_active


def package_has_feature(institution: Institution, feature_field: str) -> bool:
    subscription = subscription_get_active(institution=institution)
    return bool(subscription and getattr(subscription.package, feature_field))


def feature_lock(institution: Institution, feature_field: str, feature: str) -> FeatureLocked | None:
    """None when the contract in force includes the package feature `feature_field`; otherwise the
    FeatureLocked to show — pages use it to present the feature as locked, naming the packages
    that include it, without raising."""
    if package_has_feature(institution, feature_field):
        return None
    return FeatureLocked(
        feature=feature,
        packages=[p.name for p in package_list(on_sale_only=True) if getattr(p, feature_field)],
    )


def region_management_lock(institution: Institution) -> FeatureLocked | None:
    """Region-based organisation management is a Gold feature (Premium, Premium+): the tree,
    monitoring grants and ticket sharing."""
    return feature_lock(institution, "has_region_management", _("Region-based organisation management"))


def performance_tracking_lock(institution: Institution) -> FeatureLocked | None:
    """Personnel performance tracking and product usage statistics (Premium, Premium+)."""
    return feature_lock(
        institution, "has_performance_tracking", _("Institution personnel performance tracking")
    )


def require_seat(institution: Institution) -> None:
    """A place is free for one more active person of the institution: NoActiveSubscription without
    a contract in force, UserCapReached when the contract's user cap is taken."""
    subscription = subscription_get_active(institution=institution)
    if subscription is None:
        raise NoActiveSubscription(institution=institution.name)
    if subscription.user_cap is not None and seat_count(institution=institution) >= subscription.user_cap:
        raise UserCapReached(cap=subscription.user_cap, package=subscription.package.name)


def require_region_management(institution: Institution) -> None:
    lock = region_management_lock(institution)
    if lock is not None:
        raise lock


def require_performance_tracking(institution: Institution) -> None:
    lock = performance_tracking_lock(institution)
    if lock is not None:
        raise lock
