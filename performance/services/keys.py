from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.audit import audit_change, audit_record, audited
from organizations.models import Institution, User
from organizations.permissions import require_institution_admin
from packages.permissions import require_performance_tracking

from ..models import UsageKey

NAME_MAX_LENGTH = 50


@audited("usage_key.issue")
def usage_key_issue(*, actor: User, institution: Institution, name: str) -> tuple[UsageKey, str]:
    """Issue an installation key for one of the institution's installations and return it with the
    key itself, which is stored only as a hash and so can be shown this once. For the institution's
    admin or vendor staff, on a package with performance tracking (FeatureLocked otherwise).
    Writes an audit row; each call issues a new key."""
    require_institution_admin(actor, institution)
    require_performance_tracking(institution)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Name the installation the key is for.")]})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": [_("At most %(max)s characters.") % {"max": NAME_MAX_LENGTH}]})
    with transaction.atomic():
        key, raw = UsageKey.objects.create_key(name=name, institution=institution, created_by=actor)
        audit_record(
            actor=actor, action="usage_key.issue", target=key, after={"name": name, "prefix": key.prefix}
        )
    return key, raw


@audited("usage_key.revoke")
def usage_key_revoke(*, actor: User, key: UsageKey) -> bool:
    """Revoke a key: the installation's next request is refused (401). For the institution's admin
    or vendor staff. Revoking a revoked key changes nothing and records nothing (returns False)."""
    require_institution_admin(actor, key.institution)
    with transaction.atomic():
        now = timezone.now()
        changed = UsageKey.objects.filter(pk=key.pk, revoked=False).update(
            revoked=True, revoked_at=now, revoked_by=actor
        )
        if not changed:
            return False
        key.refresh_from_db()
        audit_change(
            actor=actor, action="usage_key.revoke", target=key, field="revoked", before=False, after=True
        )
    return True
