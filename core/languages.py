"""The language a person's e-mails are written in, for any app that writes them.

The choice is kept by `notifications` (the preferences page); apps beside it (reports) and below
it must not import it, so notifications registers its reader here in NotificationsConfig.ready:

    email_language_register(lambda person_id: language_for(person_id=person_id))

Without a registration every e-mail is in the site's language (Turkish)."""

from collections.abc import Callable

from django.conf import settings

EmailLanguage = Callable[[int], str]

_SOURCE: list[EmailLanguage] = []


def email_language_register(source: EmailLanguage) -> None:
    """Set the function that names a person's e-mail language (the last registration wins)."""
    _SOURCE[:] = [source]


def email_language(person_id: int | None) -> str:
    if person_id is None or not _SOURCE:
        return settings.LANGUAGE_CODE
    language = _SOURCE[0](person_id)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
