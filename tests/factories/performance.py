import uuid

import factory
from django.utils import timezone

from packages.models import Product
from performance.services import usage_key_issue

from .organizations import PersonFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"product-{n}")
    name = factory.LazyAttribute(lambda p: p.code.title())


class UsageKeyFactory(factory.Factory):
    """Issues a key through the real service, as the institution's admin; the key itself is on
    the returned object as `raw`."""

    class Meta:
        model = dict

    institution = None
    actor = factory.LazyAttribute(
        lambda k: PersonFactory(role="institution_admin", institution=k.institution)
    )
    name = factory.Sequence(lambda n: f"Installation {n}")

    @classmethod
    def _create(cls, model_class, *, institution, actor, name):
        key, raw = usage_key_issue(actor=actor, institution=institution, name=name)
        key.raw = raw
        return key


def usage_event(**fields) -> dict:
    """One event as a product sends it (JSON-ready)."""
    event = {
        "id": str(uuid.uuid4()),
        "username": "nobody",
        "product": "netcad",
        "version": "9.1",
        "kind": "feature_used",
        "feature": "parcel-query",
        "occurred_at": timezone.now().isoformat(),
    }
    event.update(fields)
    return {k: v for k, v in event.items() if v is not None}
