"""The tenant boundary of the API, in one place. Every endpoint reaches tenant data through one of
these two mixins, which go through the selectors with the requesting person:

- tickets through tickets.selectors.ticket_visible_to / ticket_get_visible (the one visibility
  path of the product: vendor staff see every institution, customers what their role allows);
- organization objects (regions, units, people) through organizations.selectors with the
  requesting person's institution, and only for its admin.

Another institution's object is answered exactly as a missing one: 404 with no data."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, PermissionDenied

from organizations.models import Institution
from organizations.permissions import (
    is_customer_side,
    is_desk,
    require_institution_admin,
    require_region_management,
)
from tickets.models import Ticket
from tickets.selectors import ticket_get_visible, ticket_visible_to


def object_id(value) -> int:
    """A URL's id as an integer; anything else names no object (404, like a missing one)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound(_("Not found.")) from None
    # Beyond a 64-bit key nothing can exist; the database would refuse to compare it.
    if not 0 < number < 2**63:
        raise NotFound(_("Not found."))
    return number


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


class InstitutionAdminMixin:
    """For the organization endpoints: only the institution's admin, only its own institution.
    With `needs_region_management`, the package must include region-based management
    (403 feature_locked naming the packages that do)."""

    needs_region_management = False

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not is_customer_side(request.user):
            raise PermissionDenied(_("Only the institution's admin can do this."))
        self.institution = request.user.institution
        require_institution_admin(request.user, self.institution)
        if self.needs_region_management:
            require_region_management(self.institution)

    def get_institution(self) -> Institution | None:
        # None only while the OpenAPI schema is generated, which runs no request.
        return getattr(self, "institution", None)

    def lookup(self, selector, pk):
        """One object of the person's institution through an organizations selector, else 404."""
        found = selector(institution=self.institution, pk=object_id(pk))
        if found is None:
            raise NotFound(_("Not found."))
        return found
