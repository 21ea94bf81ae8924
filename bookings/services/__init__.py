from .desk import contact_request_add
from .engine import booking_act
from .onboarding import onboarding_complete, onboarding_record, onboarding_request, onboarding_schedule
from .onsite import (
    onsite_cancel,
    onsite_complete,
    onsite_confirm,
    onsite_quote,
    onsite_quote_accept,
    onsite_quote_decline,
    onsite_request,
)
from .workshops import (
    workshop_cancel,
    workshop_decline,
    workshop_mark_held,
    workshop_participants_record,
    workshop_request,
    workshop_schedule,
)

__all__ = [
    "booking_act",
    "contact_request_add",
    "onboarding_complete",
    "onboarding_record",
    "onboarding_request",
    "onboarding_schedule",
    "onsite_cancel",
    "onsite_complete",
    "onsite_confirm",
    "onsite_quote",
    "onsite_quote_accept",
    "onsite_quote_decline",
    "onsite_request",
    "workshop_cancel",
    "workshop_decline",
    "workshop_mark_held",
    "workshop_participants_record",
    "workshop_request",
    "workshop_schedule",
]
