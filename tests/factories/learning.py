import datetime

import factory
from django.utils import timezone

from learning.models import PRODUCT_MODEL, LibraryItem, Registration, Training


class TrainingFactory(factory.django.DjangoModelFactory):
    """A published session two days ahead, an hour long, without a place limit."""

    class Meta:
        model = Training

    title = factory.Sequence(lambda n: f"Netcad eğitimi {n}")
    description = "Parsel sorguları ve katman stilleri."
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=2)
    )
    ends_at = factory.LazyAttribute(lambda t: t.starts_at + datetime.timedelta(hours=1))
    language = "tr"
    capacity = None
    meeting_url = "https://meet.example.com/egitim"
    is_published = True


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A person's place in a session, on behalf of the person's institution."""

    class Meta:
        model = Registration

    training = factory.SubFactory(TrainingFactory)
    person = None
    institution = factory.LazyAttribute(lambda r: r.person.institution)


class LibraryItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LibraryItem
        skip_postgeneration_save = True

    kind = LibraryItem.Kind.HELP_DOCUMENT
    title = factory.Sequence(lambda n: f"Kılavuz {n}")
    description = "Kurulum adımları."
    tags = "kurulum"
    is_published = True

    @factory.post_generation
    def index(item, create, extracted, **kwargs):
        from learning.services import library_item_index

        if create:
            library_item_index(item=item)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PRODUCT_MODEL
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"product-{n}")
    name = factory.Sequence(lambda n: f"Ürün {n}")
