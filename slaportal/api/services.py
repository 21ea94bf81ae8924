"""Writes the API layer itself makes: app tokens. (Idempotency-Key records are core's:
core.services.)"""

from django.contrib.auth.models import AbstractBaseUser
from rest_framework.authtoken.models import Token


def api_token_issue(*, actor: AbstractBaseUser) -> Token:
    """The person's app token, created on first use. One token per person: every device of the
    person shares it, and revoking it signs all of them out. Running it twice returns the same token."""
    token, _created = Token.objects.get_or_create(user=actor)
    return token


def api_token_revoke(*, actor: AbstractBaseUser) -> bool:
    """Delete the person's token; True if there was one. Harmless to run twice."""
    deleted, _rows = Token.objects.filter(user=actor).delete()
    return bool(deleted)
