"""Signing in through an institution's LDAP / Active Directory (django-auth-ldap), and the nightly
sync that takes access from people the directory no longer has. python-ldap builds against the
OpenLDAP and SASL headers, so it is an optional install (`pip install -e .[ldap]`, which
`dev.py install` tries): without it, settings leave this backend out and the sync does nothing."""

import logging

import ldap
import ldap.filter
from django_auth_ldap.backend import LDAPBackend, LDAPSettings, _LDAPUser
from django_auth_ldap.config import (
    ActiveDirectoryGroupType,
    GroupOfNamesType,
    LDAPSearch,
    NestedActiveDirectoryGroupType,
)

from .backends import _person_get, _refuse
from .directories import (
    DirectorySignInRefused,
    DirectoryUnavailable,
    directory_for_username,
    directory_list_to_sync_all_institutions,
    directory_person_remove,
    directory_person_sign_in,
    directory_sync,
)
from .models import Directory

logger = logging.getLogger(__name__)

# What python-ldap raises when the directory cannot be reached or does not answer in time.
LDAP_UNAVAILABLE = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.TIMELIMIT_EXCEEDED, ldap.CONNECT_ERROR)


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
