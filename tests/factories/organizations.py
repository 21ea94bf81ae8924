import factory

from organizations.models import AuditEvent, Directory, DirectoryMapping, Institution, Region, Unit, User
from organizations.roles import WITHOUT_INSTITUTION, Role
from organizations.services import person_groups_sync

PASSWORD = "test-pass-2026"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Institution {n}")
    slug = factory.Sequence(lambda n: f"institution-{n}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Region {n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    region = factory.SubFactory(RegionFactory)
    institution = factory.SelfAttribute("region.institution")
    name = factory.Sequence(lambda n: f"Unit {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    """A person holding `role`. Customer-side roles get an institution unless one is given (and the
    unit's region and institution when a unit is given); vendor roles get none."""

    class Meta:
        model = User

    role = Role.CUSTOMER
    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda p: f"{p.username}@example.test")
    unit = None
    region = factory.LazyAttribute(lambda p: p.unit.region if p.unit else None)
    institution = factory.LazyAttribute(
        lambda p: (
            None
            if p.role in WITHOUT_INSTITUTION
            else (
                p.unit.institution if p.unit else p.region.institution if p.region else InstitutionFactory()
            )
        )
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        person = model_class(**kwargs)
        person.set_password(PASSWORD)
        person.save()
        person_groups_sync(person=person)
        return person


class AuditEventFactory(factory.django.DjangoModelFactory):
    """An audit row as a service writes it: a region of the institution renamed by its admin."""

    class Meta:
        model = AuditEvent

    institution = factory.SubFactory(InstitutionFactory)
    actor = factory.LazyAttribute(
        lambda e: PersonFactory(role=Role.INSTITUTION_ADMIN, institution=e.institution)
    )
    action = "region.rename"
    target_type = "organizations.region"
    target_id = factory.Sequence(lambda n: n + 1)
    target_label = factory.Sequence(lambda n: f"Region {n}")
    before = factory.LazyAttribute(lambda e: {"name": "Old"})
    after = factory.LazyAttribute(lambda e: {"name": e.target_label})

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # At the head of the hash chain, as organizations.audit writes every row.
        from organizations.audit_chain import chain_append

        return chain_append(model_class(**kwargs))


class DirectoryFactory(factory.django.DjangoModelFactory):
    """An institution's directory; LDAP unless `kind` says otherwise. Tests point it at the slapd
    or OpenID Connect provider they start."""

    class Meta:
        model = Directory

    institution = factory.SubFactory(InstitutionFactory)
    kind = Directory.Kind.LDAP
    domain = factory.Sequence(lambda n: f"kurum{n}.gov.tr")
    connect_timeout = 2
    user_filter = "(uid=%(user)s)"


class DirectoryMappingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DirectoryMapping

    directory = factory.SubFactory(DirectoryFactory)
    group = factory.Sequence(lambda n: f"cn=group{n},ou=groups,dc=kurum,dc=gov,dc=tr")
    role = Role.CUSTOMER
