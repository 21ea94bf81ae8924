import factory

from organizations.roles import Role
from tickets.services import ticket_file

from .organizations import PersonFactory
from .packages import SubscriptionFactory


def customer_with_subscription(package_code: str = "premium", **person_fields):
    """A customer of a fresh institution holding an active contract of the package."""
    subscription = SubscriptionFactory(package_code=package_code)
    return PersonFactory(institution=subscription.institution, role=Role.CUSTOMER, **person_fields)


class TicketFactory(factory.Factory):
    """Files a ticket through the real service (quota, deadline, history and all)."""

    class Meta:
        model = dict

    requester = factory.LazyFunction(customer_with_subscription)
    subject = factory.Sequence(lambda n: f"Layer export fails #{n}")
    description = "The export stops at 40 % with an error."
    kind = "question"
    at = None

    @classmethod
    def _create(cls, model_class, *, requester, subject, description, kind, at):
        return ticket_file(actor=requester, subject=subject, description=description, kind=kind, at=at)


class MacroFactory(factory.django.DjangoModelFactory):
    """A macro; owner None is the desk's shared one."""

    class Meta:
        model = "tickets.Macro"

    name = factory.Sequence(lambda n: f"Answer {n}")
    body = "Merhaba {{ requester.first_name }}, talebiniz #{{ ticket.id }} inceleniyor."
    owner = factory.SubFactory(PersonFactory, role=Role.SUPPORT_ENGINEER)
    created_by = factory.LazyAttribute(lambda macro: macro.owner or PersonFactory(role=Role.DESK_LEAD))
