import datetime

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

from packages.errors import QuotaExhausted
from packages.models import Channel


def booking_state_error(current_label: str) -> ValidationError:
    """An action the booking's current status does not allow: the API answers 409."""
    return ValidationError(
        _("This cannot be done while the booking is “%(status)s”.") % {"status": current_label},
        code="invalid_transition",
    )


class OnsiteDaysShort(QuotaExhausted):
    """More on-site days asked for than the contract has left. Keeps the `quota_exhausted` code
    the apps know, and names what remains so the request can be cut to it or the rest quoted."""

    def __init__(self, *, allotment: int, renews_on: datetime.date, requested: int, remaining: int):
        self.requested = requested
        self.remaining = remaining
        super().__init__(channel=Channel.ONSITE_DAYS, allotment=allotment, renews_on=renews_on)

    def message(self) -> str:
        values = {
            "requested": self.requested,
            "remaining": self.remaining,
            "extra": self.requested - self.remaining,
            "renews_on": formats.date_format(self.renews_on, "DATE_FORMAT"),
        }
        if self.remaining == 0:
            return (
                _(
                    "No on-site days are left in this contract year (it renews on %(renews_on)s). "
                    "Ask for a quote for the %(requested)s days instead."
                )
                % values
            )
        return (
            _(
                "You asked for %(requested)s on-site days and %(remaining)s are left in this contract year "
                "(it renews on %(renews_on)s). Request %(remaining)s days, or request them with a quote for "
                "the other %(extra)s."
            )
            % values
        )

    def as_dict(self) -> dict:
        return {**super().as_dict(), "requested": self.requested, "remaining": self.remaining}
