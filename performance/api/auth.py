"""Installation keys on the API: `Authorization: Api-Key <key>` (djangorestframework-api-key's
parser). The key, not a person, is what authenticates; request.auth is the UsageKey."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework_api_key.permissions import KeyParser

from ..models import UsageKey
from ..selectors import usage_key_authenticate


class UsageKeyAuthentication(authentication.BaseAuthentication):
    keyword = KeyParser.keyword

    def authenticate(self, request):
        raw = KeyParser().get(request)
        if raw is None:
            return None
        key = usage_key_authenticate(raw=raw.strip())
        if key is None:
            raise exceptions.AuthenticationFailed(_("The installation key is unknown or revoked."))
        return AnonymousUser(), key

    def authenticate_header(self, request):
        return self.keyword


class HasUsageKey(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, UsageKey)


class UsageKeyScheme(OpenApiAuthenticationExtension):
    target_class = UsageKeyAuthentication
    name = "installationKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: an installation key issued by the institution admin or vendor staff.",
        }
