"""Shares and monitoring grants as rows, for states the services refuse to create — such as an
institution whose Premium contract was followed by a Standard one, leaving its old shares and
grants behind. Everywhere else, tests go through organizations.services and
tickets.services.sharing."""

import factory
from django.utils import timezone

from organizations.models import MonitoringGrant
from tickets.models import TicketShare


class TicketShareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketShare

    institution = factory.SelfAttribute("ticket.institution")
    shared_by = factory.SelfAttribute("ticket.requester")


class MonitoringGrantFactory(factory.django.DjangoModelFactory):
    """A grant on the person's own unit (unit manager) or region (anyone else)."""

    class Meta:
        model = MonitoringGrant

    institution = factory.SelfAttribute("person.institution")
    unit = factory.LazyAttribute(lambda g: g.person.unit if g.person.role == "unit_manager" else None)
    region = factory.LazyAttribute(lambda g: None if g.person.role == "unit_manager" else g.person.region)
    granted_at = factory.LazyFunction(timezone.now)
