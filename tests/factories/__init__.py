from .core import IdempotencyRecordFactory, OutboxMessageFactory
from .organizations import (
    AuditEventFactory,
    DirectoryFactory,
    DirectoryMappingFactory,
    InstitutionFactory,
    PersonFactory,
    RegionFactory,
    UnitFactory,
)
from .packages import SubscriptionFactory
from .tickets import MacroFactory, TicketFactory, customer_with_subscription

__all__ = [
    "AuditEventFactory",
    "DirectoryFactory",
    "DirectoryMappingFactory",
    "IdempotencyRecordFactory",
    "InstitutionFactory",
    "MacroFactory",
    "OutboxMessageFactory",
    "PersonFactory",
    "RegionFactory",
    "SubscriptionFactory",
    "TicketFactory",
    "UnitFactory",
    "customer_with_subscription",
]
