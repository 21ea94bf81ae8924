import django_filters

from tickets.figures import SLAState
from tickets.models import Ticket

SLA_STATES = SLAState.CHOICES


class TicketFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Ticket.Status.choices, help_text="Only this status.")
    kind = django_filters.ChoiceFilter(choices=Ticket.Kind.choices, help_text="Only this kind.")
    product = django_filters.CharFilter(field_name="product__code", help_text="Only this product code.")
    sla_state = django_filters.ChoiceFilter(
        choices=SLA_STATES, method="filter_sla_state", help_text="Only this SLA state."
    )

    class Meta:
        model = Ticket
        fields = ["status", "kind", "product", "sla_state"]

    def filter_sla_state(self, tickets, name, value):
        return tickets.in_sla_state(value)
