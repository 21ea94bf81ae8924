"""Signing in: with a username and password kept by the product (vendor staff, institutions without
a directory), or through the institution's own directory, LDAP / Active Directory
(django-auth-ldap) or OpenID Connect (mozilla-django-oidc), configured per institution in
`organizations.Directory`. The LDAP backend is in organizations.ldap_directory, since python-ldap
is an optional install (it builds against the OpenLDAP headers). django-axes stands first in AUTHENTICATION_BACKENDS, so a wrong
directory password is counted and locked out exactly as a local one."""

import logging

import requests
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .directories import (
    DirectorySignInRefused,
    DirectoryUnavailable,
    directory_person_sign_in,
    local_password_refused,
)
from .models import Directory, User

logger = logging.getLogger(__name__)

# How long an OpenID Connect provider's discovery document is reused.
OIDC_DISCOVERY_SECONDS = 600


def _person_get(user_id) -> User | None:
    try:
        user = User._default_manager.select_related("institution").get(pk=user_id)
    except User.DoesNotExist:
        return None
    return user if user.is_active else None


def _refuse(request, error: Exception) -> None:
    """Tell the sign-in page why (the backends can only answer None), then stop the other backends."""
    if request is not None:
        request.directory_error = error
    raise PermissionDenied(str(error))


class PersonBackend(ModelBackend):
    """ModelBackend that reads the signed-in person with their institution: every page names the
    institution in its header, and the customer's pages read it again for the contract and the
    tickets. One query per request instead of two; read afresh on every request, so a move or a
    deactivation shows at once. A customer-side person of an institution that signs in through
    its directory is refused a local password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and local_password_refused(user):
            return None
        return user

    def get_user(self, user_id):
        user = _person_get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def oidc_endpoints(directory: Directory) -> dict:
    """The provider's discovery document (its authorization, token, JWKS and userinfo endpoints),
    kept for a few minutes. Raises DirectoryUnavailable when the provider does not answer in time."""
    key = f"oidc-discovery:{directory.pk}:{directory.issuer}"
    document = cache.get(key)
    if document is None:
        url = directory.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=directory.connect_timeout)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            logger.warning("directory.unavailable", extra={"directory": directory.pk, "error": repr(error)})
            raise DirectoryUnavailable() from error
        cache.set(key, document, OIDC_DISCOVERY_SECONDS)
    return document


def oidc_directory_settings(directory: Directory) -> dict:
    endpoints = oidc_endpoints(directory)
    return {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": endpoints["authorization_endpoint"],
        "OIDC_OP_TOKEN_ENDPOINT": endpoints["token_endpoint"],
        "OIDC_OP_USER_ENDPOINT": endpoints.get("userinfo_endpoint", ""),
        "OIDC_OP_JWKS_ENDPOINT": endpoints["jwks_uri"],
        "OIDC_RP_CLIENT_ID": directory.client_id,
        "OIDC_RP_CLIENT_SECRET": directory.client_secret,
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_TIMEOUT": directory.connect_timeout,
    }


# Where the sign-in's directory is kept between the redirect to the provider and the way back.
OIDC_SESSION_KEY = "oidc_directory"


class DirectoryOIDCBackend(OIDCAuthenticationBackend):
    """Completes an OpenID Connect sign-in with the provider of the directory the sign-in started
    with (kept in the session): the code is exchanged for an RS256-signed ID token checked against
    the provider's keys, and the person's groups claim goes to organizations.directories."""

    def __init__(self, *args, **kwargs):
        # mozilla-django-oidc reads one provider from the settings here; ours comes per sign-in.
        self.UserModel = User
        self.directory = None
        self._directory_settings = {}

    def get_settings(self, attr, *args):
        if attr in self._directory_settings:
            return self._directory_settings[attr]
        return OIDCAuthenticationBackend.get_settings(attr, *args)

    def authenticate(self, request, **kwargs):
        if request is None or not request.GET.get("code") or not request.GET.get("state"):
            return None
        directory = (
            Directory.objects.select_related("institution")
            .filter(pk=request.session.get(OIDC_SESSION_KEY), kind=Directory.Kind.OIDC, is_active=True)
            .first()
        )
        if directory is None:
            return None
        self.directory = directory
        try:
            self._directory_settings = oidc_directory_settings(directory)
        except DirectoryUnavailable as error:
            _refuse(request, error)
        for name, value in self._directory_settings.items():
            setattr(self, name, value)
        self.OIDC_RP_IDP_SIGN_KEY = None
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as error:
            logger.warning("directory.unavailable", extra={"directory": directory.pk, "error": repr(error)})
            _refuse(request, DirectoryUnavailable())

    def get_or_create_user(self, access_token, id_token, payload):
        # mozilla-django-oidc checks the signature and the nonce; the token must also come from this
        # directory's issuer and be meant for this client.
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if str(payload.get("iss", "")).rstrip("/") != self.directory.issuer.rstrip("/") or (
            self.directory.client_id not in audiences
        ):
            logger.warning("directory.oidc_token_refused", extra={"directory": self.directory.pk})
            return None
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            claims.update(self.get_userinfo(access_token, id_token, payload))
        directory = self.directory
        subject = str(claims.get("sub") or "")
        if not subject:
            return None
        groups = claims.get(directory.groups_claim) or []
        if isinstance(groups, str):
            groups = [groups]
        email = claims.get("email") or ""
        username = (
            email
            if email.lower().endswith("@" + directory.domain.lower())
            else f"{subject}@{directory.domain}"
        )
        try:
            return directory_person_sign_in(
                directory=directory,
                subject=subject,
                username=username,
                groups=groups,
                email=email,
                first_name=claims.get("given_name") or "",
                last_name=claims.get("family_name") or "",
            )
        except DirectorySignInRefused as error:
            _refuse(self.request, error)

    def get_user(self, user_id):
        return _person_get(user_id)
