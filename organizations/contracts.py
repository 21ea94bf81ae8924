"""What organizations needs of an institution's contract, without importing packages (the layer
above it): packages registers its rules here in PackagesConfig.ready, and organizations' services,
pages and API call them. The user cap when a person is added or reactivated, region management for
the tree and the monitoring grants, and the contract the people page and `/me` show."""

import dataclasses
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .models import Institution
from .permissions import FeatureLocked


@dataclasses.dataclass(frozen=True)
class ContractRules:
    # The contract in force today (a packages Subscription), or None.
    in_force: Callable[[Institution], Any]
    # Raises a DomainError (no contract, the user cap reached) when no place is free.
    require_seat: Callable[[Institution], None]
    # The FeatureLocked naming the packages with region management, or None when included.
    region_management_lock: Callable[[Institution], FeatureLocked | None]
    # The contract in force as `/me` shows it (organizations.api.serializers.SubscriptionSerializer).
    data: Callable[[Institution], dict | None]


_rules: list[ContractRules] = []


def contract_rules_register(rules: ContractRules) -> None:
    _rules[:] = [rules]


def _registered() -> ContractRules:
    if not _rules:
        raise ImproperlyConfigured("no contract rules registered: is the packages app installed?")
    return _rules[0]


def contract_in_force(institution: Institution):
    return _registered().in_force(institution)


def require_seat(institution: Institution) -> None:
    _registered().require_seat(institution)


def region_management_lock(institution: Institution) -> FeatureLocked | None:
    return _registered().region_management_lock(institution)


def require_region_management(institution: Institution) -> None:
    """FeatureLocked unless the institution's contract includes region-based management."""
    lock = region_management_lock(institution)
    if lock is not None:
        raise lock


def contract_data(institution: Institution) -> dict | None:
    return _registered().data(institution)
