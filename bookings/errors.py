from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def booking_state_error(current_label: str) -> ValidationError:
    """An action the booking's current status does not allow: the API answers 409."""
    return ValidationError(
        _("This cannot be done while the booking is “%(status)s”.") % {"status": current_label},
        code="invalid_transition",
    )
