"""Domain errors of subscriptions and quotas. Each carries what the customer needs to be told and
renders itself as a translated sentence; the web and the API turn them into their own shapes.
All answer 409 in the API: the request is valid, the contract's current state refuses it."""

import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from core.errors import DomainError

from .models import Channel


class QuotaError(DomainError):
    code = "quota_error"
    status_code = 409


class QuotaExhausted(QuotaError):
    code = "quota_exhausted"

    def __init__(self, *, channel: str, allotment: int, renews_on: datetime.date):
        self.channel = channel
        self.allotment = allotment
        self.renews_on = renews_on
        super().__init__(channel, allotment, renews_on)

    def message(self) -> str:
        return _(
            "Your %(channel)s allotment of %(allotment)s for this contract year is used up. "
            "It renews on %(renews_on)s; to add more before then, ask your account manager for an extension."
        ) % {
            "channel": Channel(self.channel).label,
            "allotment": self.allotment,
            "renews_on": formats.date_format(self.renews_on, "DATE_FORMAT"),
        }

    def as_dict(self) -> dict:
        return {"channel": self.channel, "allotment": self.allotment, "renews_on": self.renews_on.isoformat()}


class ChannelNotIncluded(QuotaError):
    code = "channel_not_included"

    def __init__(self, *, channel: str, package: str):
        self.channel = channel
        self.package = package
        super().__init__(channel, package)

    def message(self) -> str:
        return _("%(channel)s is not included in your package (%(package)s).") % {
            "channel": Channel(self.channel).label,
            "package": self.package,
        }

    def as_dict(self) -> dict:
        return {"channel": self.channel, "package": self.package}


class NoActiveSubscription(QuotaError):
    code = "no_active_subscription"

    def __init__(self, *, institution: str, ended_on: datetime.date | None = None):
        self.institution = institution
        self.ended_on = ended_on
        super().__init__(institution, ended_on)

    def message(self) -> str:
        if self.ended_on:
            return _(
                "The support contract of %(institution)s ended on %(ended_on)s. You can still read your "
                "tickets; to file new ones, the contract must be renewed."
            ) % {
                "institution": self.institution,
                "ended_on": formats.date_format(self.ended_on, "DATE_FORMAT"),
            }
        return _("%(institution)s has no active support contract, so new requests cannot be filed.") % {
            "institution": self.institution
        }

    def as_dict(self) -> dict:
        return {"ended_on": self.ended_on.isoformat() if self.ended_on else None}


class UserCapReached(QuotaError):
    code = "user_cap_reached"

    def __init__(self, *, cap: int, package: str):
        self.cap = cap
        self.package = package
        super().__init__(cap, package)

    def message(self) -> str:
        return _(
            "Your %(package)s contract allows %(cap)s people to receive support, and all places are taken. "
            "Deactivate someone or extend the contract to add another person."
        ) % {"package": self.package, "cap": self.cap}

    def as_dict(self) -> dict:
        return {"cap": self.cap, "package": self.package}
