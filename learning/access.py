"""Who may use the learning services, decided once per request from the contract in force.

Customer-side people need a contract in force whose package includes the feature (every package
sold today includes them). When the institution's contract has ended, past sessions and their
recordings stay readable for RECORDINGS_GRACE_DAYS after its end, with no new registrations."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import User
from organizations.permissions import is_customer_side
from packages.errors import NoActiveSubscription
from packages.models import Subscription
from packages.selectors import subscription_in_force

from .models import LibraryItem

RECORDINGS_GRACE_DAYS = 30

# The package feature each library kind belongs to.
KIND_FEATURES = {
    LibraryItem.Kind.HELP_DOCUMENT: "has_help_documents",
    LibraryItem.Kind.VIDEO: "has_help_documents",
    LibraryItem.Kind.PROJECT_DOCUMENT: "has_project_documents",
    LibraryItem.Kind.SOLUTION: "has_help_documents",
}


@dataclass(frozen=True)
class LearningAccess:
    person: User
    is_vendor: bool = False
    subscription: Subscription | None = None
    # Past recordings only, up to and including this day (an ended contract).
    recordings_until: datetime.date | None = None
    library_kinds: frozenset = field(default_factory=frozenset)
    has_trainings: bool = True

    @property
    def past_only(self) -> bool:
        return not self.is_vendor and self.subscription is None

    @property
    def can_register(self) -> bool:
        return self.subscription is not None


def _refused(message: str | None = None) -> PermissionDenied:
    return PermissionDenied(message or _("The learning services come with a support contract in force."))


def learning_access(*, person: User) -> LearningAccess:
    """The person's access to trainings, or PermissionDenied (the page's 403) saying why."""
    if not person.is_authenticated or not person.is_active:
        raise _refused()
    if person.is_vendor_staff:
        return LearningAccess(person=person, is_vendor=True, library_kinds=frozenset(LibraryItem.Kind.values))
    if not is_customer_side(person):
        raise _refused()
    try:
        subscription = subscription_in_force(institution=person.institution)
    except NoActiveSubscription as exc:
        if exc.ended_on is None:
            raise _refused(exc.message()) from exc
        until = exc.ended_on + datetime.timedelta(days=RECORDINGS_GRACE_DAYS)
        if timezone.localdate() > until:
            raise _refused(exc.message()) from exc
        return LearningAccess(person=person, recordings_until=until)
    package = subscription.package
    kinds = frozenset(kind for kind, feature in KIND_FEATURES.items() if getattr(package, feature))
    return LearningAccess(
        person=person,
        subscription=subscription,
        library_kinds=kinds,
        has_trainings=package.has_unlimited_online_training,
    )


def training_access(*, person: User) -> LearningAccess:
    """Access to the training calendar and recordings."""
    access = learning_access(person=person)
    if not access.has_trainings:
        raise _refused()
    return access


def library_access(*, person: User) -> LearningAccess:
    """Access to the library: a contract in force (or vendor staff); an ended one reads nothing."""
    access = learning_access(person=person)
    if not access.library_kinds:
        raise _refused()
    return access
