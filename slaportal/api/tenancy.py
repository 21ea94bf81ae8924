"""What every app's API shares at the tenant boundary. The scoping mixins themselves live with
their app (tickets.api.tenancy, organizations.api.tenancy), each going through its app's
selectors with the requesting person; another institution's object is answered exactly as a
missing one: 404 with no data."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound


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
