"""The tenant boundary of the organization API: regions, units, people and grants are reached
through organizations.selectors with the requesting person's institution, and only for its admin.
Another institution's object is answered exactly as a missing one: 404 with no data."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, PermissionDenied

from organizations.contracts import require_region_management
from organizations.models import Institution
from organizations.permissions import is_customer_side, require_institution_admin
from slaportal.api.tenancy import object_id


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
