"""Signing in through an institution's own directory (LDAP / Active Directory or OpenID Connect):
which directory a sign-in name belongs to, what a person's directory groups give them (role, unit,
region), the person made or updated on each sign-in inside the user cap, and the nightly sync
that takes access away from people the directory no longer has.

The sign-in backends (organizations.backends) talk to the directory; this module decides what
that means for the person. Every change here is recorded in the audit log with no actor (the
directory made it)."""

import dataclasses
import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

from .audit import audit_record
from .contracts import require_seat
from .models import Directory, DirectoryAccount, Institution, Region, Unit, User
from .roles import Role
from .services import person_access_end, person_groups_sync

logger = logging.getLogger(__name__)

# The strongest role first: a person in several mapped groups gets the first of these they hold.
ROLE_STRENGTH = (Role.INSTITUTION_ADMIN, Role.REGION_MANAGER, Role.UNIT_MANAGER, Role.CUSTOMER)


class DirectorySignInRefused(DomainError):
    """The directory knows the person, but the product will not let them in."""

    code = "directory_sign_in_refused"
    status_code = 403

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)

    def message(self) -> str:
        return self.reason


class DirectoryUnavailable(DomainError):
    """The directory did not answer in time (down, unreachable or slow)."""

    code = "directory_unavailable"
    status_code = 503

    def message(self) -> str:
        return _(
            "Your institution's directory is not answering, so you cannot sign in right now. "
            "Please try again in a few minutes; if it persists, tell your IT department."
        )


@dataclasses.dataclass(frozen=True)
class Placement:
    """What a person's directory groups give them."""

    role: Role
    region: Region | None
    unit: Unit | None


def directory_for_username(username: str | None, *, kind: str | None = None) -> Directory | None:
    """The active directory whose domain the sign-in name (`name@domain`) ends in, or None: then
    the name is a local account's (vendor staff, institutions without a directory)."""
    if not username or "@" not in username:
        return None
    domain = username.rsplit("@", 1)[1].strip().lower()
    directories = Directory.objects.select_related("institution").filter(
        domain__iexact=domain, is_active=True, institution__is_active=True
    )
    if kind:
        directories = directories.filter(kind=kind)
    return directories.first()


def oidc_sign_in_offered() -> bool:
    """Whether any institution signs in through an OpenID Connect provider (the sign-in page then
    offers the way to it)."""
    return Directory.objects.filter(kind=Directory.Kind.OIDC, is_active=True).exists()


def directory_for_institution(institution_id: int | None) -> Directory | None:
    if institution_id is None:
        return None
    return Directory.objects.filter(institution_id=institution_id, is_active=True).first()


def directory_placement(*, directory: Directory, groups: Iterable[str]) -> Placement | None:
    """What the groups give: the strongest role any of them maps to, and the unit and region of the
    first mapping (in the order they were set up) that names one. None when no group gives a role.
    Group names compare without regard to case, as LDAP compares DNs."""
    held = {group.strip().lower() for group in groups}
    mappings = [
        m for m in directory.mappings.select_related("unit__region", "region") if m.group.lower() in held
    ]
    roles = {m.role for m in mappings if m.role}
    role = next((r for r in ROLE_STRENGTH if r in roles), None)
    if role is None:
        return None
    unit = next((m.unit for m in mappings if m.unit_id), None)
    region = unit.region if unit else next((m.region for m in mappings if m.region_id), None)
    return Placement(role=Role(role), region=region, unit=unit)


def directory_person_sign_in(
    *,
    directory: Directory,
    subject: str,
    username: str,
    groups: Iterable[str],
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """The person the directory has just signed in, made on their first sign-in (taking a place
    under the user cap) and brought in line with their groups on every later one.

    Raises DirectorySignInRefused when no group gives a role (the person is deactivated if they
    had an account), when the username belongs to a local account, or with the cap's own message
    when a new person finds every place taken (nothing is written then). A deactivated person
    whom the directory lets in again is reactivated inside the cap. Records `person.directory_add`,
    `person.directory_update` and `person.directory_remove`. Running it twice with the same groups
    changes nothing the second time."""
    institution = directory.institution
    placement = directory_placement(directory=directory, groups=groups)
    if placement is None:
        directory_person_remove(directory=directory, subject=subject, reason="no_group")
        raise DirectorySignInRefused(
            _(
                "Your directory account is in no group that gives access to the portal. Ask your IT department."
            )
        )
    with transaction.atomic():
        Institution.objects.select_for_update().get(pk=institution.pk)
        account = (
            DirectoryAccount.objects.select_related("person")
            .filter(directory=directory, subject=subject)
            .first()
        )
        person = account.person if account else None
        if person is None and (existing := User.objects.filter(username__iexact=username).first()):
            # A local account of the institution made before the directory (named as the directory
            # names the person) becomes theirs; anyone else's name is not taken over.
            if (
                existing.institution_id != institution.pk
                or DirectoryAccount.objects.filter(person=existing).exists()
            ):
                raise DirectorySignInRefused(
                    _(
                        "An account with this name already exists in the portal. Ask the portal's support team."
                    )
                )
            account = DirectoryAccount.objects.create(person=existing, directory=directory, subject=subject)
            existing.set_unusable_password()
            existing.save(update_fields=["password"])
            person = existing
        if person is None:
            _require_seat_or_refuse(institution)
            person = User(
                username=username,
                email=email,
                first_name=first_name[:150],
                last_name=last_name[:150],
                institution=institution,
                role=placement.role,
                unit=placement.unit,
                region=placement.region,
            )
            person.set_unusable_password()
            person.full_clean(exclude=["password"])
            person.save()
            DirectoryAccount.objects.create(
                person=person, directory=directory, subject=subject, last_signed_in_at=timezone.now()
            )
            person_groups_sync(person=person)
            audit_record(actor=None, action="person.directory_add", target=person, after=_record(person))
            return person
        before = _record(person)
        if not person.is_active:
            _require_seat_or_refuse(institution)
            person.is_active = True
        person.role = placement.role
        person.unit = placement.unit
        person.region = placement.region
        if email:
            person.email = email
        if first_name or last_name:
            person.first_name, person.last_name = first_name[:150], last_name[:150]
        _save_if_changed(
            person,
            before=before,
            fields=["is_active", "role", "unit", "region", "email", "first_name", "last_name"],
        )
        DirectoryAccount.objects.filter(pk=account.pk).update(last_signed_in_at=timezone.now())
    return person


def directory_person_remove(*, directory: Directory, subject: str, reason: str) -> User | None:
    """The directory no longer has this person (or gives them no role): they lose access at once.
    Returns the person, or None when nobody came from the directory under that name. Records
    `person.directory_remove`; running it twice is harmless (an inactive person is left as is)."""
    account = (
        DirectoryAccount.objects.select_related("person").filter(directory=directory, subject=subject).first()
    )
    if account is None:
        return None
    with transaction.atomic():
        _deactivate(account.person, reason=reason)
    return account.person


def directory_sync(*, directory: Directory, lookup) -> dict[str, int]:
    """The nightly pass over a directory's people: `lookup(subject)` answers the person's groups, or
    None when the directory no longer has them (and raises DirectoryUnavailable when it cannot be
    asked: then nothing changes). Those gone or in no mapped group lose access; the others get the
    role, unit and region their groups give now. Returns the counts; harmless to repeat."""
    counts = {"checked": 0, "removed": 0, "updated": 0}
    accounts = DirectoryAccount.objects.select_related("person").filter(
        directory=directory, person__is_active=True
    )
    for account in accounts.iterator(chunk_size=500):
        counts["checked"] += 1
        groups = lookup(account.subject)
        placement = directory_placement(directory=directory, groups=groups) if groups is not None else None
        person = account.person
        with transaction.atomic():
            if placement is None:
                _deactivate(person, reason="gone" if groups is None else "no_group")
                counts["removed"] += 1
                continue
            before = _record(person)
            person.role, person.unit, person.region = placement.role, placement.unit, placement.region
            if _save_if_changed(person, before=before, fields=["role", "unit", "region"]):
                counts["updated"] += 1
    Directory.objects.filter(pk=directory.pk).update(last_synced_at=timezone.now())
    logger.info("directory.synced", extra={"directory": directory.pk, **counts})
    return counts


def directory_list_to_sync_all_institutions() -> list[Directory]:
    # The nightly sync is the vendor's job across every institution with an LDAP directory.
    return list(
        Directory.objects.select_related("institution").filter(
            kind=Directory.Kind.LDAP, is_active=True, institution__is_active=True
        )
    )


def local_password_refused(person: User) -> bool:
    """A customer-side person of an institution with an active directory signs in through it only."""
    return person.is_customer_side and directory_for_institution(person.institution_id) is not None


def _require_seat_or_refuse(institution: Institution) -> None:
    try:
        require_seat(institution)
    except DomainError as error:
        raise DirectorySignInRefused(error.message()) from error


def _deactivate(person: User, *, reason: str) -> None:
    if person_access_end(person):
        audit_record(
            actor=None,
            action="person.directory_remove",
            target=person,
            before={"is_active": True},
            after={"is_active": False, "reason": reason},
        )


def _save_if_changed(person: User, *, before: dict, fields: list[str]) -> bool:
    """Save `fields` of the person, sync their groups and record `person.directory_update` with
    what changed, when their record differs from `before`; False (nothing written) otherwise."""
    after = _record(person)
    if after == before:
        return False
    person.save(update_fields=fields)
    person_groups_sync(person=person)
    audit_record(
        actor=None,
        action="person.directory_update",
        target=person,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return True


def _record(person: User) -> dict:
    return {
        "is_active": person.is_active,
        "role": person.role,
        "unit": person.unit_id,
        "region": person.region_id,
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
    }
