from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from packages.errors import NoActiveSubscription, UserCapReached
from packages.selectors import subscription_get_active

from .models import Institution, MonitoringGrant, Region, Unit, User
from .permissions import require_duty_setter, require_own_institution_admin, require_region_management
from .roles import CUSTOMER_SIDE, Role
from .selectors import seat_count


def _check_seat_available(institution: Institution) -> None:
    subscription = subscription_get_active(institution=institution)
    if subscription is None:
        raise NoActiveSubscription(institution=institution.name)
    if subscription.user_cap is not None and seat_count(institution=institution) >= subscription.user_cap:
        raise UserCapReached(cap=subscription.user_cap, package=subscription.package.name)


def _place(institution: Institution, unit: Unit | None, region: Region | None) -> tuple[Region | None, Unit | None]:
    if unit is not None:
        if unit.institution_id != institution.pk:
            raise ValidationError({"unit": _("Choose a unit of this institution.")})
        return unit.region, unit
    if region is not None and region.institution_id != institution.pk:
        raise ValidationError({"region": _("Choose a region of this institution.")})
    return region, None


def person_add(
    *,
    actor: User | None,
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

    Raises UserCapReached when every place is taken, NoActiveSubscription without a contract,
    ValidationError for bad fields; nothing is written then. The institution row is locked for the
    count, so two admins adding at once cannot pass the cap together. Not idempotent."""
    if role not in CUSTOMER_SIDE:
        raise ValidationError({"role": _("Choose a role of the institution's side.")})
    if (unit or region) is not None:
        require_region_management(institution)
    with transaction.atomic():
        Institution.objects.select_for_update().get(pk=institution.pk)
        _check_seat_available(institution)
        region, unit = _place(institution, unit, region)
        person = User(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
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
        person.groups.add(Group.objects.get(name=role))
    return person


def person_invite(
    *, actor: User | None, institution: Institution, email: str, role: Role = Role.CUSTOMER, base_url: str = "", **fields
) -> User:
    """Invite someone by e-mail: the account is created without a password, taking a place under
    the cap at once, and the person chooses one through the link mailed after commit.
    Raises what person_add raises; nothing is mailed then."""
    person = person_add(
        actor=actor, institution=institution, username=fields.pop("username", email), email=email, role=role, **fields
    )
    context = {
        "user": person,
        "uid": urlsafe_base64_encode(force_bytes(person.pk)),
        "token": default_token_generator.make_token(person),
        "base_url": base_url or settings.SITE_URL,
    }
    subject = "".join(render_to_string("registration/invitation_subject.txt", context).splitlines())
    body = render_to_string("registration/invitation_email.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return person


def person_deactivate(*, actor: User, person: User) -> User:
    """Deactivate a person: they lose access at once (and free a place under the cap)."""
    person.is_active = False
    person.save(update_fields=["is_active"])
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=person).delete()
    return person


def person_reactivate(*, actor: User, person: User) -> User:
    with transaction.atomic():
        Institution.objects.select_for_update().get(pk=person.institution_id)
        _check_seat_available(person.institution)
        person.is_active = True
        person.save(update_fields=["is_active"])
    return person


def person_set_role(*, actor: User | None, person: User, role: Role) -> User:
    """Give the person another role. A monitoring grant that no longer fits the role is revoked
    in the same transaction (recorded as revoked by the actor)."""
    with transaction.atomic():
        person.groups.remove(*Group.objects.filter(name__in=Role.values))
        person.groups.add(Group.objects.get(name=role))
        person.__dict__.pop("_role_names", None)
        _monitoring_grants_revoke_unfitting(actor=actor, person=person)
    return person


def region_create(*, actor: User, institution: Institution, name: str) -> Region:
    require_region_management(institution)
    region = Region(institution=institution, name=name)
    region.full_clean()
    region.save()
    return region


def unit_create(*, actor: User, institution: Institution, region: Region, name: str) -> Unit:
    require_region_management(institution)
    if region.institution_id != institution.pk:
        raise ValidationError({"region": _("Choose a region of this institution.")})
    unit = Unit(institution=institution, region=region, name=name)
    unit.full_clean()
    unit.save()
    return unit


def person_move(*, actor: User, person: User, unit: Unit | None, region: Region | None = None) -> User:
    """Place a person in a unit (and so its region), or only in a region, or nowhere.

    What the person sees follows their new place at once (shares to their unit or region are read
    from where they are now); a monitoring grant on the place they left is revoked in the same
    transaction, recorded as revoked by the actor."""
    require_region_management(person.institution)
    with transaction.atomic():
        person.region, person.unit = _place(person.institution, unit, region)
        person.save(update_fields=["region", "unit"])
        _monitoring_grants_revoke_unfitting(actor=actor, person=person)
    return person


def _monitoring_scope(person: User) -> dict | None:
    """The part of the tree a person's role and place let them monitor: a unit manager their
    unit, a region manager their region."""
    if person.role == Role.UNIT_MANAGER and person.unit_id:
        return {"unit_id": person.unit_id, "region_id": None}
    if person.role == Role.REGION_MANAGER and person.region_id:
        return {"unit_id": None, "region_id": person.region_id}
    return None


def _monitoring_grants_revoke_unfitting(*, actor: User | None, person: User) -> int:
    """Revoke the person's active grants that their role and place no longer fit."""
    active = MonitoringGrant.objects.filter(person=person, revoked_at__isnull=True)
    scope = _monitoring_scope(person)
    if scope is not None:
        active = active.exclude(**scope)
    return active.update(revoked_by=actor, revoked_at=timezone.now())


def monitoring_grant_give(*, actor: User, person: User) -> MonitoringGrant:
    """Let a manager monitor their part of the tree: a unit manager their unit's tickets, a
    region manager every ticket of their region. Given by the institution's own admin, person by
    person; recorded with who gave it and when.

    Raises PermissionDenied unless the actor is the person's institution admin, FeatureLocked on a
    package without region management (naming the packages that include it), ValidationError for
    an inactive person, a person who is not a unit or region manager, or one not placed in a unit
    (unit manager) or region (region manager). A person holds at most one active grant: a grant on
    a place they left is revoked first. Running it twice is harmless: the active grant on the same
    place is returned as it is."""
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
        MonitoringGrant.objects.filter(person=person, revoked_at__isnull=True).update(
            revoked_by=actor, revoked_at=timezone.now()
        )
        grant = MonitoringGrant(
            institution=institution, person=person, granted_by=actor, granted_at=timezone.now(), **scope
        )
        grant.full_clean()
        grant.save()
    return grant


def monitoring_grant_revoke(*, actor: User, grant: MonitoringGrant) -> MonitoringGrant:
    """Take a monitoring grant back, recording who did and when; the row stays as the record.
    Only the institution's own admin may; allowed on every package, so access can always be taken
    back. Running it twice is harmless: the first revocation stands."""
    require_own_institution_admin(actor, grant.institution)
    now = timezone.now()
    if MonitoringGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(revoked_by=actor, revoked_at=now):
        grant.revoked_by, grant.revoked_at = actor, now
    else:
        grant.refresh_from_db(fields=["revoked_by", "revoked_at"])
    return grant


def region_rename(*, actor: User, region: Region, name: str) -> Region:
    require_region_management(region.institution)
    region.name = name
    region.full_clean()
    region.save(update_fields=["name"])
    return region


def unit_rename(*, actor: User, unit: Unit, name: str) -> Unit:
    require_region_management(unit.institution)
    unit.name = name
    unit.full_clean()
    unit.save(update_fields=["name"])
    return unit


def person_set_on_duty(*, actor: User, person: User, is_on_duty: bool) -> User:
    """Put a desk person on or off duty: routing gives new tickets only to engineers on duty.
    An engineer sets their own; the desk lead anyone's. Harmless to run twice."""
    require_duty_setter(actor, person)
    User.objects.filter(pk=person.pk).update(is_on_duty=is_on_duty)
    person.is_on_duty = is_on_duty
    return person
