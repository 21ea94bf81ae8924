from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core.outbox import outbox_enqueue

from .audit import audit_change, audit_record, audited
from .contracts import require_region_management, require_seat
from .models import DutyChange, Institution, MonitoringGrant, Region, Unit, User
from .permissions import (
    refuse_self,
    require_duty_setter,
    require_institution_admin,
    require_own_institution_admin,
    require_person_admin,
)
from .roles import CUSTOMER_SIDE, Role


def _place(
    institution: Institution, unit: Unit | None, region: Region | None
) -> tuple[Region | None, Unit | None]:
    if unit is not None:
        if unit.institution_id != institution.pk:
            raise ValidationError({"unit": _("Choose a unit of this institution.")})
        return unit.region, unit
    if region is not None and region.institution_id != institution.pk:
        raise ValidationError({"region": _("Choose a region of this institution.")})
    return region, None


def person_groups_sync(*, person: User) -> None:
    """Put the person in the Django group of their role and in no other role's group. The groups
    carry only the model permissions the Django admin checks; the role column is what the product
    reads. Called by every service that sets a role (and by the demo data and test factories).
    Harmless to repeat."""
    role_groups = Group.objects.filter(name__in=Role.values)
    person.groups.remove(*role_groups.exclude(name=person.role or ""))
    if person.role:
        person.groups.add(*role_groups.filter(name=person.role))


def _place_record(person: User) -> dict:
    return {
        "region_id": person.region_id,
        "region": person.region.name if person.region else None,
        "unit_id": person.unit_id,
        "unit": person.unit.name if person.unit else None,
    }


def _person_create(
    *,
    actor: User,
    action: str,
    institution: Institution,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    password: str | None,
    unit: Unit | None,
    region: Region | None,
) -> User:
    require_institution_admin(actor, institution)
    if role not in CUSTOMER_SIDE:
        raise ValidationError({"role": _("Choose a role of the institution's side.")})
    if (unit or region) is not None:
        require_region_management(institution)
    with transaction.atomic():
        Institution.objects.select_for_update().get(pk=institution.pk)
        require_seat(institution)
        region, unit = _place(institution, unit, region)
        person = User(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=role,
            institution=institution,
            region=region,
            unit=unit,
        )
        if password:
            person.set_password(password)
        else:
            person.set_unusable_password()
        person.full_clean()
        person.save()
        person_groups_sync(person=person)
        audit_record(
            actor=actor,
            action=action,
            target=person,
            after={"role": person.role, "email": person.email, "is_active": True, **_place_record(person)},
        )
    return person


@audited("person.bootstrap")
def staff_bootstrap(*, username: str, email: str, password: str) -> tuple[User, bool]:
    """The installation's first vendor account, for `manage.py bootstrap_staff`: a package manager
    with the Django admin's superuser rights, who then adds everyone else. Returns (person,
    created). A person of that username already there is left as they are (password included), so
    running it again changes nothing. Raises ValidationError for a bad username or address or a
    password the validators refuse, and writes nothing then. Records `person.bootstrap`."""
    with transaction.atomic():
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            return existing, False
        person = User(
            username=username, email=email, role=Role.PACKAGE_MANAGER, is_staff=True, is_superuser=True
        )
        person.full_clean(exclude=["password"])
        validate_password(password, user=person)
        person.set_password(password)
        person.save()
        person_groups_sync(person=person)
        audit_record(
            actor=None,
            action="person.bootstrap",
            target=person,
            after={"role": person.role, "email": person.email, "is_superuser": True},
        )
    return person, True


@audited("person.add")
def person_add(
    *,
    actor: User,
    institution: Institution,
    username: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    role: Role = Role.CUSTOMER,
    password: str | None = None,
    unit: Unit | None = None,
    region: Region | None = None,
) -> User:
    """Add a customer-side person to an institution, taking one place under the user cap.

    Raises PermissionDenied unless the actor administers the institution, UserCapReached when
    every place is taken, NoActiveSubscription without a contract, ValidationError for bad fields;
    nothing is written then. The institution row is locked for the count, so two admins adding at
    once cannot pass the cap together. Records `person.add`. Not idempotent."""
    return _person_create(
        actor=actor,
        action="person.add",
        institution=institution,
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        password=password,
        unit=unit,
        region=region,
    )


@audited("person.invite")
def person_invite(
    *,
    actor: User,
    institution: Institution,
    email: str,
    role: Role = Role.CUSTOMER,
    base_url: str = "",
    username: str | None = None,
    first_name: str = "",
    last_name: str = "",
    unit: Unit | None = None,
    region: Region | None = None,
) -> User:
    """Invite someone by e-mail: the account is created without a password, taking a place under
    the cap at once, and the person chooses one through the link mailed after commit (outbox).
    Raises what person_add raises; nothing is mailed then. Records `person.invite`."""
    with transaction.atomic():
        person = _person_create(
            actor=actor,
            action="person.invite",
            institution=institution,
            username=username or email,
            email=email,
            role=role,
            first_name=first_name,
            last_name=last_name,
            password=None,
            unit=unit,
            region=region,
        )
        context = {
            "user": person,
            "uid": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
            "base_url": base_url or settings.SITE_URL,
        }
        subject = "".join(render_to_string("registration/invitation_subject.txt", context).splitlines())
        body = render_to_string("registration/invitation_email.txt", context)
        # In the transaction that creates the account, in the language the invitation is written in.
        outbox_enqueue(
            cause=f"organizations.invitation:{person.pk}", recipient=email, subject=subject, body=body
        )
    return person


@audited("person.deactivate")
def person_deactivate(*, actor: User, person: User) -> User:
    """Deactivate a person: they lose access at once (their API tokens are deleted) and free a
    place under the cap.

    Raises PermissionDenied unless the actor administers the person's institution, and
    ValidationError for the actor themselves. In one transaction with its `person.deactivate`
    record. Running it twice is harmless: an inactive person is left as they are, unrecorded."""
    require_person_admin(actor, person)
    refuse_self(actor, person)
    with transaction.atomic():
        if person_access_end(person):
            audit_change(
                actor=actor,
                action="person.deactivate",
                target=person,
                field="is_active",
                before=True,
                after=False,
            )
    return person


def person_access_end(person: User) -> bool:
    """Mark the person inactive and delete their API tokens, so they lose access at once, in the
    caller's transaction; the caller records why. A guarded update: False, nothing written, when
    they were inactive already (or another call got there first)."""
    if not User.objects.filter(pk=person.pk, is_active=True).update(is_active=False):
        person.is_active = False
        return False
    person.is_active = False
    Token.objects.filter(user=person).delete()
    return True


@audited("person.reactivate")
def person_reactivate(*, actor: User, person: User) -> User:
    """Let a deactivated person log in again, taking a place under the cap.

    Raises PermissionDenied unless the actor administers the person's institution, ValidationError
    for the actor themselves, UserCapReached or NoActiveSubscription (nothing is written then).
    Records `person.reactivate`. Running it twice is harmless: an active person is left as they
    are, unrecorded."""
    require_person_admin(actor, person)
    refuse_self(actor, person)
    with transaction.atomic():
        Institution.objects.select_for_update().get(pk=person.institution_id)
        if User.objects.filter(pk=person.pk, is_active=True).exists():
            person.is_active = True
            return person
        require_seat(person.institution)
        person.is_active = True
        person.save(update_fields=["is_active"])
        audit_change(
            actor=actor,
            action="person.reactivate",
            target=person,
            field="is_active",
            before=False,
            after=True,
        )
    return person


@audited("person.set_role")
def person_set_role(*, actor: User, person: User, role: Role) -> User:
    """Give the person another role of the institution's side. A monitoring grant that no longer
    fits the role is revoked in the same transaction (recorded as revoked by the actor, and listed
    in the `person.set_role` record).

    Raises PermissionDenied unless the actor administers the person's institution, and
    ValidationError for the actor themselves or a vendor role. Running it twice is harmless: the
    same role again changes and records nothing."""
    require_person_admin(actor, person)
    refuse_self(actor, person)
    if role not in CUSTOMER_SIDE:
        raise ValidationError({"role": _("Choose a role of the institution's side.")})
    if person.role == role:
        return person
    with transaction.atomic():
        before = person.role
        person.role = role
        person.full_clean()
        person.save(update_fields=["role"])
        person_groups_sync(person=person)
        revoked = _monitoring_grants_revoke_unfitting(actor=actor, person=person)
        audit_record(
            actor=actor,
            action="person.set_role",
            target=person,
            before={"role": before},
            after={"role": person.role, "revoked_grant_ids": revoked},
        )
    return person


@audited("region.create")
def region_create(*, actor: User, institution: Institution, name: str) -> Region:
    """Create a region. Raises PermissionDenied unless the actor administers the institution,
    FeatureLocked without region management, ValidationError for a name already taken. Records
    `region.create`. Not idempotent (a second call is refused as a duplicate name)."""
    require_institution_admin(actor, institution)
    require_region_management(institution)
    with transaction.atomic():
        region = Region(institution=institution, name=name)
        region.full_clean()
        region.save()
        audit_record(actor=actor, action="region.create", target=region, after={"name": region.name})
    return region


@audited("unit.create")
def unit_create(*, actor: User, institution: Institution, region: Region, name: str) -> Unit:
    """Create a unit in a region of the institution. Raises what region_create raises, and
    ValidationError for another institution's region. Records `unit.create`."""
    require_institution_admin(actor, institution)
    require_region_management(institution)
    if region.institution_id != institution.pk:
        raise ValidationError({"region": _("Choose a region of this institution.")})
    with transaction.atomic():
        unit = Unit(institution=institution, region=region, name=name)
        unit.full_clean()
        unit.save()
        audit_record(
            actor=actor,
            action="unit.create",
            target=unit,
            after={"name": unit.name, "region_id": region.pk, "region": region.name},
        )
    return unit


@audited("person.move")
def person_move(*, actor: User, person: User, unit: Unit | None, region: Region | None = None) -> User:
    """Place a person in a unit (and so its region), or only in a region, or nowhere.

    What the person sees follows their new place at once (shares to their unit or region are read
    from where they are now); a monitoring grant on the place they left is revoked in the same
    transaction, recorded as revoked by the actor and listed in the `person.move` record.
    Raises PermissionDenied unless the actor administers the person's institution, FeatureLocked
    without region management, ValidationError for another institution's unit or region.
    Running it twice is harmless: the same place again changes and records nothing."""
    require_person_admin(actor, person)
    require_region_management(person.institution)
    new_region, new_unit = _place(person.institution, unit, region)
    if (person.region_id, person.unit_id) == (getattr(new_region, "pk", None), getattr(new_unit, "pk", None)):
        return person
    with transaction.atomic():
        before = _place_record(person)
        person.region, person.unit = new_region, new_unit
        person.save(update_fields=["region", "unit"])
        revoked = _monitoring_grants_revoke_unfitting(actor=actor, person=person)
        audit_record(
            actor=actor,
            action="person.move",
            target=person,
            before=before,
            after={**_place_record(person), "revoked_grant_ids": revoked},
        )
    return person


def _monitoring_scope(person: User) -> dict | None:
    """The part of the tree a person's role and place let them monitor: a unit manager their
    unit, a region manager their region."""
    if person.role == Role.UNIT_MANAGER and person.unit_id:
        return {"unit_id": person.unit_id, "region_id": None}
    if person.role == Role.REGION_MANAGER and person.region_id:
        return {"unit_id": None, "region_id": person.region_id}
    return None


def _monitoring_grants_revoke_unfitting(*, actor: User, person: User) -> list[int]:
    """Revoke the person's active grants that their role and place no longer fit; their ids."""
    active = MonitoringGrant.objects.filter(person=person, revoked_at__isnull=True)
    scope = _monitoring_scope(person)
    if scope is not None:
        active = active.exclude(**scope)
    ids = list(active.values_list("pk", flat=True))
    MonitoringGrant.objects.filter(pk__in=ids, revoked_at__isnull=True).update(
        revoked_by=actor, revoked_at=timezone.now()
    )
    return ids


@audited("monitoring_grant.give")
def monitoring_grant_give(*, actor: User, person: User) -> MonitoringGrant:
    """Let a manager monitor their part of the tree: a unit manager their unit's tickets, a
    region manager every ticket of their region. Given by the institution's own admin, person by
    person; recorded with who gave it and when.

    Raises PermissionDenied unless the actor is the person's institution admin, FeatureLocked on a
    package without region management (naming the packages that include it), ValidationError for
    an inactive person, a person who is not a unit or region manager, or one not placed in a unit
    (unit manager) or region (region manager). A person holds at most one active grant: a grant on
    a place they left is revoked first. Records `monitoring_grant.give`. Running it twice is
    harmless: the active grant on the same place is returned as it is, unrecorded."""
    institution = person.institution
    if institution is None:
        raise PermissionDenied(_("Only the institution's admin can do this."))
    require_own_institution_admin(actor, institution)
    require_region_management(institution)
    if not person.is_active:
        raise ValidationError({"person": _("Choose an active person of this institution.")})
    if person.role not in (Role.UNIT_MANAGER, Role.REGION_MANAGER):
        raise ValidationError({"person": _("Monitoring is given to unit and region managers only.")})
    scope = _monitoring_scope(person)
    if scope is None:
        raise ValidationError(
            {
                "person": _("Place the unit manager in a unit first.")
                if person.role == Role.UNIT_MANAGER
                else _("Place the region manager in a region first.")
            }
        )
    with transaction.atomic():
        # The person's row is the lock: two admins granting at once give one grant.
        User.objects.select_for_update().filter(pk=person.pk).first()
        current = MonitoringGrant.objects.filter(person=person, revoked_at__isnull=True, **scope).first()
        if current is not None:
            return current
        replaced = list(
            MonitoringGrant.objects.filter(person=person, revoked_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        MonitoringGrant.objects.filter(pk__in=replaced).update(revoked_by=actor, revoked_at=timezone.now())
        grant = MonitoringGrant(
            institution=institution, person=person, granted_by=actor, granted_at=timezone.now(), **scope
        )
        grant.full_clean()
        grant.save()
        audit_record(
            actor=actor,
            action="monitoring_grant.give",
            target=grant,
            before={"revoked_grant_ids": replaced},
            after={"person_id": person.pk, "person": person.username, **scope},
        )
    return grant


@audited("monitoring_grant.revoke")
def monitoring_grant_revoke(*, actor: User, grant: MonitoringGrant) -> MonitoringGrant:
    """Take a monitoring grant back, recording who did and when; the row stays as the record.
    Only the institution's own admin may; allowed on every package, so access can always be taken
    back. Records `monitoring_grant.revoke`. Running it twice is harmless: the first revocation
    stands and only it is recorded."""
    require_own_institution_admin(actor, grant.institution)
    now = timezone.now()
    with transaction.atomic():
        if MonitoringGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
            revoked_by=actor, revoked_at=now
        ):
            grant.revoked_by, grant.revoked_at = actor, now
            audit_record(
                actor=actor,
                action="monitoring_grant.revoke",
                target=grant,
                before={"revoked_at": None},
                after={"revoked_at": now, "revoked_by_id": actor.pk},
            )
        else:
            grant.refresh_from_db(fields=["revoked_by", "revoked_at"])
    return grant


@audited("region.rename")
def region_rename(*, actor: User, region: Region, name: str) -> Region:
    """Rename a region. Raises PermissionDenied unless the actor administers its institution,
    FeatureLocked without region management, ValidationError for a name already taken. Records
    `region.rename`; the same name again changes and records nothing."""
    require_institution_admin(actor, region.institution)
    require_region_management(region.institution)
    return _rename(actor=actor, action="region.rename", target=region, name=name)


@audited("unit.rename")
def unit_rename(*, actor: User, unit: Unit, name: str) -> Unit:
    """Rename a unit; as region_rename. Records `unit.rename`."""
    require_institution_admin(actor, unit.institution)
    require_region_management(unit.institution)
    return _rename(actor=actor, action="unit.rename", target=unit, name=name)


def _rename(*, actor: User, action: str, target: Region | Unit, name: str):
    before = target.name
    if before == name:
        return target
    with transaction.atomic():
        target.name = name
        target.full_clean()
        target.save(update_fields=["name"])
        audit_change(actor=actor, action=action, target=target, field="name", before=before, after=name)
    return target


# Called after commit whenever someone goes on or off duty: tickets registers the breach
# forecast's refresh here (TicketsConfig.ready), since organizations cannot import tickets.
_duty_listeners: list[Callable[[], None]] = []


def duty_listener_register(listener: Callable[[], None]) -> None:
    if listener not in _duty_listeners:
        _duty_listeners.append(listener)


def _duty_changed() -> None:
    for listener in _duty_listeners:
        listener()


@audited("person.set_on_duty")
def person_set_on_duty(*, actor: User, person: User, is_on_duty: bool) -> User:
    """Put a desk person on or off duty: routing gives new tickets only to engineers on duty.
    An engineer sets their own; the desk lead anyone's. A call that changes nothing records
    nothing, so running it twice is harmless. After commit, the duty listeners are told."""
    require_duty_setter(actor, person)
    before = person.is_on_duty
    if before == is_on_duty:
        return person
    with transaction.atomic():
        User.objects.filter(pk=person.pk).update(is_on_duty=is_on_duty)
        person.is_on_duty = is_on_duty
        audit_change(
            actor=actor,
            action="person.set_on_duty",
            target=person,
            field="is_on_duty",
            before=before,
            after=is_on_duty,
        )
        transaction.on_commit(_duty_changed)
    return person


@audited("person.plan_duty")
def duty_change_schedule(*, actor: User, person: User, at, is_on_duty: bool) -> DutyChange:
    """Plan a duty change (a shift's start or end, a break) for `at`, in the future. The same
    rules as going on or off duty now; the breach forecast reads it ahead and the beat applies it
    when its moment comes."""
    require_duty_setter(actor, person)
    if at <= timezone.now():
        raise ValidationError({"at": _("Choose a moment in the future.")})
    change = DutyChange(person=person, at=at, is_on_duty=is_on_duty, created_by=actor)
    change.full_clean()
    with transaction.atomic():
        change.save()
        audit_record(
            actor=actor,
            action="person.plan_duty",
            target=person,
            after={"at": at.isoformat(), "is_on_duty": is_on_duty},
        )
        transaction.on_commit(_duty_changed)
    return change


def duty_changes_apply(*, now=None, limit: int = 200) -> int:
    """Apply the planned duty changes whose moment has come, oldest first, each in its own
    transaction and marked applied by a guarded update, so two runs never apply one twice. The
    change is made as its planner (a planner who has since left makes it as the person). Returns
    how many were applied."""
    now = now or timezone.now()
    applied = 0
    due = list(
        DutyChange.objects.filter(applied_at__isnull=True, at__lte=now)
        .select_related("person", "created_by")
        .order_by("at", "id")[:limit]
    )
    for change in due:
        with transaction.atomic():
            if DutyChange.objects.filter(pk=change.pk, applied_at__isnull=True).update(applied_at=now) != 1:
                continue
            actor = change.created_by if change.created_by.is_active else change.person
            try:
                person_set_on_duty(actor=actor, person=change.person, is_on_duty=change.is_on_duty)
            except PermissionDenied:
                # The person left the desk since: the plan no longer applies.
                continue
            applied += 1
    return applied
