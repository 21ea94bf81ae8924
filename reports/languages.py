"""The language a person's e-mails are written in, as the app that keeps that choice decides it.

Reports does not import the notifications app (same layer); the composition layer (`portal`)
registers its choice instead:

    email_language_register(person_email_language)

Without a registration every e-mail of reports is in the site's language (Turkish)."""

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
