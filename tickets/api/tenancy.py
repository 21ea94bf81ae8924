"""The tenant boundary of the tickets API: every ticket endpoint reaches tickets through this
mixin, which goes through tickets.selectors.ticket_visible_to / ticket_get_visible with the
requesting person (the one visibility path of the product: vendor staff see every institution,
customers what their role allows). Another institution's ticket is answered exactly as a missing
one: 404 with no data."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, PermissionDenied

from organizations.permissions import is_desk
from slaportal.api.tenancy import object_id
from tickets.models import Ticket
from tickets.selectors import ticket_get_visible, ticket_visible_to


class TicketScopedMixin:
    """For views on tickets and what hangs from them. The URL's `pk` names the ticket."""

    ticket_url_kwarg = "pk"

    def visible_tickets(self):
        return ticket_visible_to(person=self.request.user)

    def get_ticket(self, *, desk_only: bool = False) -> Ticket:
        """The ticket of the URL if the person may see it, else 404; then, for desk-only actions,
        403 for anyone not on the support desk (so a customer learns nothing about tickets it
        cannot see, and is refused on its own)."""
        cached = getattr(self, "_ticket", None)
        if cached is None:
            pk = object_id(self.kwargs[self.ticket_url_kwarg])
            cached = ticket_get_visible(person=self.request.user, pk=pk)
            if cached is None:
                raise NotFound(_("Not found."))
            self._ticket = cached
        if desk_only and not is_desk(self.request.user):
            raise PermissionDenied(_("Only support engineers can do this."))
        return cached
