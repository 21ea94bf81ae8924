from .organizations import InstitutionFactory, PersonFactory, RegionFactory, UnitFactory
from .packages import SubscriptionFactory

__all__ = ["InstitutionFactory", "PersonFactory", "RegionFactory", "SubscriptionFactory", "UnitFactory"]
