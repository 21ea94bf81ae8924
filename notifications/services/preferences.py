from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organizations.models import User

from ..models import Kind, Mode, NotificationPreference, NotificationProfile, PushMode
from ..selectors import email_fixed, kind_list_for, modes_allowed, push_modes_allowed
from ..tokens import unsubscribe_token_read

MANDATORY_CODE = "mandatory_notification"


def _check(person: User, modes: dict[str, str]) -> dict[str, list[ValidationError]]:
    available = kind_list_for(person=person)
    errors: dict[str, list[ValidationError]] = {}
    for kind, mode in modes.items():
        if kind not in available:
            errors[kind] = [
                ValidationError(_("You do not receive this kind of notification."), code="invalid")
            ]
        elif email_fixed(kind) and mode != Mode.ON:
            errors[kind] = [
                ValidationError(
                    _("“%(kind)s” is required for your role and cannot be turned off.")
                    % {"kind": Kind(kind).label},
                    code=MANDATORY_CODE,
                )
            ]
        elif mode not in modes_allowed(kind):
            errors[kind] = [
                ValidationError(
                    _("Choose one of: %(modes)s.") % {"modes": ", ".join(modes_allowed(kind))}, code="invalid"
                )
            ]
    return errors


def _check_push(person: User, push: dict[str, str]) -> dict[str, list[ValidationError]]:
    available = kind_list_for(person=person)
    errors: dict[str, list[ValidationError]] = {}
    for kind, mode in push.items():
        if kind not in available or not push_modes_allowed(kind):
            errors[f"push.{kind}"] = [
                ValidationError(_("This kind of notification is not pushed to you."), code="invalid")
            ]
        elif mode not in push_modes_allowed(kind):
            errors[f"push.{kind}"] = [
                ValidationError(
                    _("Choose one of: %(modes)s.") % {"modes": ", ".join(push_modes_allowed(kind))},
                    code="invalid",
                )
            ]
    return errors


def preference_update(
    *, actor: User, modes: dict[str, str], language: str | None = None, push: dict[str, str] | None = None
) -> None:
    """Set the actor's own modes per kind and channel — `modes` for e-mail, `push` for their
    devices — and e-mail language. Refuses, writing nothing, a kind the actor does not receive, a
    mode the kind does not offer, or turning a mandatory e-mail off. Harmless to repeat."""
    push = push or {}
    errors = {**_check(actor, modes), **_check_push(actor, push)}
    if errors:
        raise ValidationError(errors)
    if language is not None and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": [ValidationError(_("Unknown language."), code="invalid")]})
    with transaction.atomic():
        for kind, mode in modes.items():
            if email_fixed(kind):
                continue
            NotificationPreference.objects.update_or_create(person=actor, kind=kind, defaults={"mode": mode})
        for kind, mode in push.items():
            NotificationPreference.objects.update_or_create(
                person=actor, kind=kind, defaults={"push": PushMode(mode).value}
            )
        if language is not None:
            NotificationProfile.objects.update_or_create(person=actor, defaults={"language": language})


def unsubscribe(*, token: str) -> tuple[User, str] | None:
    """Turn one kind off for the person the signed token names (the one-click link of an e-mail,
    no login). None for a bad token or a mandatory kind. Harmless to repeat."""
    read = unsubscribe_token_read(token)
    if read is None:
        return None
    person_id, kind = read
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None or email_fixed(kind) or kind not in kind_list_for(person=person):
        return None
    NotificationPreference.objects.update_or_create(person=person, kind=kind, defaults={"mode": Mode.OFF})
    return person, kind
