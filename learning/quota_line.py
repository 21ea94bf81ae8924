"""The line under the suggestions that ties them to the contract: answering the question here
saves one of the written support units (packages.selectors.allotment_get)."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from organizations.models import User
from packages.errors import NoActiveSubscription
from packages.models import Channel
from packages.selectors import allotment_get, subscription_in_force

# The case ending Turkish puts after a number ("14'ü", "6'sı"), chosen by the number's last word.
_ONES = {1: "'i", 2: "'si", 3: "'ü", 4: "'ü", 5: "'i", 6: "'sı", 7: "'si", 8: "'i", 9: "'u"}
_TENS = {1: "'u", 2: "'si", 3: "'u", 4: "'ı", 5: "'si", 6: "'ı", 7: "'i", 8: "'i", 9: "'ı"}


def turkish_number(number: int) -> str:
    """The number with the ending the Turkish sentence needs (`14'ü`, `20'si`, `100'ü`, `0'ı`)."""
    if number == 0:
        return "0'ı"
    if number % 10:
        return f"{number}{_ONES[number % 10]}"
    if number % 100:
        return f"{number}{_TENS[(number // 10) % 10]}"
    if number % 1000:
        return f"{number}'ü"
    return f"{number}'i"


def written_quota_for(*, person: User) -> dict:
    """The written channel's units left for the person's institution: `remaining` is None when
    the contract has no limit on it (or none is in force), with the allotment beside it."""
    quota = {"channel": Channel.WRITTEN, "remaining": None, "allotment": None}
    if person.institution_id is None:
        return quota
    try:
        subscription = subscription_in_force(institution=person.institution)
    except NoActiveSubscription:
        return quota
    allotment = allotment_get(subscription=subscription, channel=Channel.WRITTEN)
    if allotment is not None and allotment.is_included and not allotment.is_unlimited:
        quota.update(remaining=allotment.remaining, allotment=allotment.allotment)
    return quota


def quota_line(quota: dict) -> str:
    """ "Bu yanıt işinizi görürse talep açmanız gerekmez — 20 yazılı destek hakkınızdan 14'ü kaldı"."""
    if quota["remaining"] is None:
        return _("If this answers your question, you need not file a ticket.")
    remaining = quota["remaining"]
    shown = turkish_number(remaining) if (get_language() or "tr").startswith("tr") else str(remaining)
    return _(
        "If this answers your question, you need not file a ticket — %(remaining)s of your "
        "%(allotment)s written support units left."
    ) % {"remaining": shown, "allotment": quota["allotment"]}
