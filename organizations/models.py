from django.contrib.auth.models import AbstractUser, UserManager
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import CUSTOMER_SIDE, DESK_ROLES, DEVELOPMENT_QUEUE_ROLES, VENDOR_SIDE, WITHOUT_INSTITUTION, Role


class InstitutionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Institution(models.Model):
    """A customer organisation: the tenant. Everything a customer sees hangs from one of these."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class TenantQuerySet(models.QuerySet):
    """Every tenant-owned model's queryset: reads start from an institution."""

    def for_institution(self, institution):
        return self.filter(institution=institution)


class Region(models.Model):
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="regions", verbose_name=_("institution")
    )
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="region_unique_name_per_institution")
        ]

    def __str__(self):
        return self.name


class Unit(models.Model):
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="units", verbose_name=_("institution")
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="units", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["region__name", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_per_region")]

    def __str__(self):
        return f"{self.region.name} / {self.name}"


class PersonQuerySet(models.QuerySet):
    def for_institution(self, institution):
        return self.filter(institution=institution)

    def with_role(self, *roles):
        return self.filter(role__in=roles)


class PersonManager(UserManager.from_queryset(PersonQuerySet)):
    pass


class User(AbstractUser):
    """A person. Customer-side people belong to an institution (and maybe a region and unit);
    vendor staff belong to none. The role is a column; the Django groups follow it (see
    organizations.roles)."""

    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, null=True, blank=True, db_index=True, default=None
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("institution"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("region"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="people", verbose_name=_("unit")
    )
    is_on_duty = models.BooleanField(
        _("on duty"), default=True, help_text=_("Support engineers on duty receive newly routed tickets.")
    )

    objects = PersonManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["institution", "is_active"], name="person_institution_active")]
        constraints = [
            # Customer-side people belong to an institution; vendor staff and developers to none.
            # A person without
            # a role (an account made by createsuperuser) may be either.
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=sorted(r.value for r in CUSTOMER_SIDE), institution__isnull=False)
                    | models.Q(
                        role__in=sorted(r.value for r in WITHOUT_INSTITUTION), institution__isnull=True
                    )
                    | models.Q(role__isnull=True)
                ),
                name="person_role_matches_institution",
            ),
        ]

    @property
    def is_vendor_staff(self) -> bool:
        return self.role in VENDOR_SIDE

    @property
    def is_customer_side(self) -> bool:
        return self.role in CUSTOMER_SIDE

    @property
    def works_development(self) -> bool:
        """Sees the development queue: the development unit and vendor staff."""
        return self.role in DEVELOPMENT_QUEUE_ROLES

    @property
    def works_desk(self) -> bool:
        return self.role in DESK_ROLES


class MonitoringGrant(models.Model):
    """Lets a manager follow the tickets of a unit or a whole region. Given and revoked by the
    institution admin; a revoked grant stays as the record of who revoked it and when."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="monitoring_grants")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="monitoring_grants")
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="monitoring_grants"
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="monitoring_grants"
    )
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("granted at"))
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("monitoring grant")
        verbose_name_plural = _("monitoring grants")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(unit__isnull=False, region__isnull=True)
                    | models.Q(unit__isnull=True, region__isnull=False)
                ),
                name="monitoring_grant_one_scope",
            ),
            # One active grant per person; it also serves as the index the ticket lists probe.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(revoked_at__isnull=True),
                name="monitoring_grant_one_active",
            ),
        ]


class AuditEvent(models.Model):
    """One change made through a service: who did what to which object, when, and the object's
    fields before and after. Written in the service's own transaction by organizations.audit, so a
    change and its record stand or fall together. Rows are never changed or deleted.

    The action is a code such as `person.deactivate`; the target is named by its model label and
    id, so any app can record its own actions here. `institution` is the tenant the change belongs
    to (None for changes outside every institution, such as the package catalogue)."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("institution"),
    )
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("target type"), max_length=100)
    target_id = models.PositiveBigIntegerField(_("target id"), null=True, blank=True)
    # The target's name when the change was made: the record stays readable after a rename.
    target_label = models.CharField(_("target"), max_length=255, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    # The hash chain (organizations.audit_chain): the hash of the row before, and of this row.
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, default="")
    row_hash = models.CharField(_("hash"), max_length=64, blank=True, default="")

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            # The audit log of an institution, newest first, and the vendor's view across them.
            models.Index(fields=["institution", "-created_at", "-id"], name="audit_institution_recent"),
            models.Index(fields=["-created_at", "-id"], name="audit_recent"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self):
        return f"{self.action} {self.target_label}"


class AuditChain(models.Model):
    """The audit log's hash chain, one row: its head (the last row's id and hash), taken FOR
    UPDATE by every writer so concurrent services keep one chain, and its anchor (the last row the
    retention rule destroyed, whose hash the oldest remaining row starts from)."""

    head_id = models.BigIntegerField(null=True, blank=True)
    head_hash = models.CharField(max_length=64, default="0" * 64)
    anchor_id = models.BigIntegerField(null=True, blank=True)
    anchor_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain")
        verbose_name_plural = _("audit chain")


class DutyChange(models.Model):
    """A desk person's duty change planned ahead (a shift's start or end, a break): applied by the
    beat when its moment comes (`duty_changes_apply`), and read ahead by the breach forecast."""

    person = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="duty_changes", verbose_name=_("person")
    )
    at = models.DateTimeField(_("at"))
    is_on_duty = models.BooleanField(_("on duty from then"))
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("planned duty change")
        verbose_name_plural = _("planned duty changes")
        ordering = ["at", "id"]
        indexes = [
            models.Index(
                fields=["at"], name="duty_change_pending", condition=models.Q(applied_at__isnull=True)
            )
        ]

    def __str__(self):
        return f"{self.person_id} {'on' if self.is_on_duty else 'off'} @ {self.at:%Y-%m-%d %H:%M}"


class Directory(models.Model):
    """An institution's own directory, through which its people sign in: an LDAP server (Active
    Directory or OpenLDAP, a bind with the person's password) or an OpenID Connect provider (a
    redirect to it). Set up by vendor staff; while one is active, the institution's people sign in
    only through it and their local passwords are refused. The domain picks the directory: a
    person signs in as `name@domain`."""

    class Kind(models.TextChoices):
        LDAP = "ldap", _("LDAP / Active Directory")
        OIDC = "oidc", _("OpenID Connect")

    class GroupType(models.TextChoices):
        GROUP_OF_NAMES = "group_of_names", _("groupOfNames (OpenLDAP)")
        ACTIVE_DIRECTORY = "active_directory", _("Active Directory groups")
        NESTED_ACTIVE_DIRECTORY = "nested_active_directory", _("Active Directory groups, nested")

    institution = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="directory", verbose_name=_("institution")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    domain = models.CharField(
        _("sign-in domain"),
        max_length=190,
        unique=True,
        help_text=_("People sign in as name@domain; the domain picks this directory."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    connect_timeout = models.PositiveSmallIntegerField(
        _("connect timeout (seconds)"),
        default=3,
        help_text=_("A directory that does not answer within this time gives a sign-in error."),
    )
    # LDAP
    server_uri = models.CharField(
        _("server URI"), max_length=255, blank=True, help_text=_("ldap://dc1.example.gov.tr or ldaps://…")
    )
    start_tls = models.BooleanField(_("StartTLS"), default=False)
    bind_dn = models.CharField(_("bind DN"), max_length=255, blank=True)
    bind_password = models.CharField(_("bind password"), max_length=255, blank=True)
    user_base_dn = models.CharField(_("user base DN"), max_length=255, blank=True)
    user_filter = models.CharField(
        _("user filter"),
        max_length=255,
        default="(uid=%(user)s)",
        help_text=_("Active Directory: (sAMAccountName=%(user)s)"),
    )
    group_base_dn = models.CharField(_("group base DN"), max_length=255, blank=True)
    group_type = models.CharField(
        _("group type"), max_length=30, choices=GroupType.choices, default=GroupType.GROUP_OF_NAMES
    )
    # OpenID Connect
    # A CharField with the URL validator rather than a URLField, whose form field guesses a scheme.
    issuer = models.CharField(
        _("issuer"), max_length=255, blank=True, validators=[URLValidator(schemes=["https", "http"])]
    )
    client_id = models.CharField(_("client id"), max_length=255, blank=True)
    client_secret = models.CharField(_("client secret"), max_length=255, blank=True)
    groups_claim = models.CharField(_("groups claim"), max_length=100, default="groups")
    last_synced_at = models.DateTimeField(_("last synced at"), null=True, blank=True)

    class Meta:
        verbose_name = _("directory")
        verbose_name_plural = _("directories")

    def __str__(self):
        return f"{self.institution} · {self.get_kind_display()} ({self.domain})"


class DirectoryMapping(models.Model):
    """A directory group (an LDAP group's DN, or a value of the OpenID Connect groups claim) and
    what it gives: a role, a unit, a region. A person's role is the strongest their groups give;
    their unit and region come from the first of their groups that names one. A person in no
    group with a role is refused."""

    directory = models.ForeignKey(
        Directory, on_delete=models.CASCADE, related_name="mappings", verbose_name=_("directory")
    )
    group = models.CharField(_("group"), max_length=255, help_text=_("The group's DN, or the claim's value."))
    role = models.CharField(
        _("role"),
        max_length=32,
        choices=[(role.value, role.label) for role in Role if role in CUSTOMER_SIDE],
        blank=True,
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("region")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )

    class Meta:
        verbose_name = _("directory group")
        verbose_name_plural = _("directory groups")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["directory", "group"], name="directory_mapping_unique_group")
        ]

    def __str__(self):
        return self.group


class DirectoryAccount(models.Model):
    """A person who came from a directory, and who they are there (the LDAP user name or the
    OpenID Connect subject): what the nightly sync looks up, and what tells the sign-in page that
    this person's password lives in the directory."""

    person = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="directory_account", verbose_name=_("person")
    )
    directory = models.ForeignKey(
        Directory, on_delete=models.CASCADE, related_name="accounts", verbose_name=_("directory")
    )
    subject = models.CharField(_("subject"), max_length=255)
    last_signed_in_at = models.DateTimeField(_("last signed in at"), null=True, blank=True)

    class Meta:
        verbose_name = _("directory account")
        verbose_name_plural = _("directory accounts")
        constraints = [
            models.UniqueConstraint(fields=["directory", "subject"], name="directory_account_unique_subject")
        ]

    def __str__(self):
        return self.subject
