from .core import IdempotencyRecordFactory
from .organizations import InstitutionFactory, PersonFactory, RegionFactory, UnitFactory
from .packages import SubscriptionFactory
from .tickets import TicketFactory, customer_with_subscription

__all__ = [
    "IdempotencyRecordFactory",
    "InstitutionFactory",
    "PersonFactory",
    "RegionFactory",
    "SubscriptionFactory",
    "TicketFactory",
    "UnitFactory",
    "customer_with_subscription",
]
