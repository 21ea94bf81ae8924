"""Signing in: with a username and password kept by the product (vendor staff, institutions without
a directory), or through the institution's own directory, LDAP / Active Directory
(django-auth-ldap) or OpenID Connect (mozilla-django-oidc), configured per institution in
`organizations.Directory`. django-axes stands first in AUTHENTICATION_BACKENDS, so a wrong
directory password is counted and locked out exactly as a local one."""

import logging

import ldap
import ldap.filter
import requests
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django_auth_ldap.backend import LDAPBackend, LDAPSettings, _LDAPUser
from django_auth_ldap.config import (
    ActiveDirectoryGroupType,
    GroupOfNamesType,
    LDAPSearch,
    NestedActiveDirectoryGroupType,
)
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .directories import (
    DirectorySignInRefused,
    DirectoryUnavailable,
    directory_for_username,
    directory_list_to_sync_all_institutions,
    directory_person_remove,
    directory_person_sign_in,
    directory_sync,
    local_password_refused,
)
from .models import Directory, User

logger = logging.getLogger(__name__)

# What python-ldap raises when the directory cannot be reached or does not answer in time.
LDAP_UNAVAILABLE = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.TIMELIMIT_EXCEEDED, ldap.CONNECT_ERROR)
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


_GROUP_TYPES = {
    Directory.GroupType.GROUP_OF_NAMES: GroupOfNamesType,
    Directory.GroupType.ACTIVE_DIRECTORY: ActiveDirectoryGroupType,
    Directory.GroupType.NESTED_ACTIVE_DIRECTORY: NestedActiveDirectoryGroupType,
}


def ldap_settings(directory: Directory) -> LDAPSettings:
    """django-auth-ldap's settings for one institution's directory (instead of AUTH_LDAP_* ones)."""
    config = LDAPSettings(prefix="DIRECTORY_LDAP_")
    timeout = directory.connect_timeout
    config.SERVER_URI = directory.server_uri
    config.START_TLS = directory.start_tls
    config.BIND_DN = directory.bind_dn
    config.BIND_PASSWORD = directory.bind_password
    config.USER_SEARCH = LDAPSearch(directory.user_base_dn, ldap.SCOPE_SUBTREE, directory.user_filter)
    if directory.group_base_dn:
        config.GROUP_SEARCH = LDAPSearch(directory.group_base_dn, ldap.SCOPE_SUBTREE)
        config.GROUP_TYPE = _GROUP_TYPES[directory.group_type]()
    # A directory that is down or silent fails the sign-in within the timeout instead of hanging
    # the page: the connect (network) timeout and the one of every operation.
    config.CONNECTION_OPTIONS = {
        ldap.OPT_NETWORK_TIMEOUT: timeout,
        ldap.OPT_TIMEOUT: timeout,
        ldap.OPT_REFERRALS: 0,
    }
    # The person is made and updated by organizations.directories, never by django-auth-ldap.
    config.ALWAYS_UPDATE_USER = False
    # Groups are read with the service account, whatever the person may read themselves.
    config.BIND_AS_AUTHENTICATING_USER = False
    config.USER_ATTR_MAP = {}
    config.CACHE_TIMEOUT = 0
    return config


def _ldap_user_exists(ldap_user: _LDAPUser, subject: str) -> bool:
    """Whether the directory has the person, asked with the service account. Unlike
    django-auth-ldap's own search, raises the LDAPError of a directory that is down or silent."""
    search = ldap_user.settings.USER_SEARCH
    filterstr = search.filterstr % {"user": ldap.filter.escape_filter_chars(subject)}
    results = ldap_user.connection.search_s(search.base_dn, search.scope, filterstr, ["1.1"])
    return any(dn for dn, _ in results if dn)


def ldap_lookup(directory: Directory, subject: str) -> list[str] | None:
    """The person's groups (DNs) as the directory's service account sees them, or None when the
    directory has no such person. Raises DirectoryUnavailable when the directory cannot be asked."""
    backend = DirectoryLDAPBackend()
    backend.directory = directory
    backend.settings = ldap_settings(directory)
    # _LDAPUser is django-auth-ldap's own search-and-groups machinery, used here without a password.
    ldap_user = _LDAPUser(backend, username=subject)
    try:
        if not _ldap_user_exists(ldap_user, subject) or ldap_user.dn is None:
            return None
        return sorted(ldap_user.group_dns)
    except ldap.LDAPError as error:
        raise DirectoryUnavailable() from error


def _ldap_attr(attrs, name: str) -> str:
    values = attrs.get(name) or []
    return values[0] if values else ""


class DirectoryLDAPBackend(LDAPBackend):
    """Binds as the person in the LDAP directory their sign-in name's domain picks (`name@domain`,
    `name` being the directory's user name) and lets organizations.directories make or update the
    person from their groups. A directory that does not answer gives DirectoryUnavailable's
    message on the sign-in page; a person the directory no longer has is deactivated."""

    directory: Directory | None = None

    def authenticate(self, request, username=None, password=None, **kwargs):
        directory = directory_for_username(username, kind=Directory.Kind.LDAP)
        if directory is None or not password:
            return None
        self.directory = directory
        self.settings = ldap_settings(directory)
        # LDAP compares names without regard to case: one person, one account, however typed.
        subject = username.rsplit("@", 1)[0].strip().lower()
        ldap_user = _LDAPUser(self, username=subject, request=request)
        try:
            # django-auth-ldap takes a directory that fails its user search for "no such person";
            # finding the person first tells a silent directory from one without them.
            if not _ldap_user_exists(ldap_user, subject):
                directory_person_remove(directory=directory, subject=subject, reason="gone")
                return None
            ldap_user._authenticate_user_dn(password)
        except ldap_user.AuthenticationFailed:
            return None
        except LDAP_UNAVAILABLE as error:
            logger.warning("directory.unavailable", extra={"directory": directory.pk, "error": repr(error)})
            _refuse(request, DirectoryUnavailable())
        except ldap.LDAPError as error:
            logger.warning("directory.ldap_error", extra={"directory": directory.pk, "error": repr(error)})
            return None
        try:
            groups = list(ldap_user.group_dns) if directory.group_base_dn else []
            attrs = ldap_user.attrs or {}
        except LDAP_UNAVAILABLE as error:
            logger.warning("directory.unavailable", extra={"directory": directory.pk, "error": repr(error)})
            _refuse(request, DirectoryUnavailable())
        try:
            return directory_person_sign_in(
                directory=directory,
                subject=subject,
                username=f"{subject}@{directory.domain}",
                groups=groups,
                email=_ldap_attr(attrs, "mail"),
                first_name=_ldap_attr(attrs, "givenName"),
                last_name=_ldap_attr(attrs, "sn"),
            )
        except DirectorySignInRefused as error:
            _refuse(request, error)

    def get_user(self, user_id):
        return _person_get(user_id)

    def get_all_permissions(self, user, obj=None):
        return set()

    def get_group_permissions(self, user, obj=None):
        return set()


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


def ldap_directory_sync_all_institutions() -> dict[int, dict[str, int]]:
    """The nightly sync of every institution's LDAP directory (organizations.directories.directory_sync):
    people the directory no longer has, or whose groups give no role, lose access. A directory
    that cannot be asked is skipped until the next night. Returns the counts per directory."""
    results = {}
    for directory in directory_list_to_sync_all_institutions():
        try:
            results[directory.pk] = directory_sync(
                directory=directory, lookup=lambda subject, d=directory: ldap_lookup(d, subject)
            )
        except DirectoryUnavailable:
            logger.warning("directory.sync_skipped", extra={"directory": directory.pk})
    return results
