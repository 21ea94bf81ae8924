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


def resolved_ticket(
    *, requester, engineer, subject: str, answer: str, description: str = "", index: bool = True
):
    """A ticket filed by `requester`, answered publicly by `engineer` and resolved, all through the
    services; indexed for the suggestions unless index=False."""
    from learning.articles import suggestion_ticket_index
    from tickets.services import ticket_file
    from tickets.services.conversation import ticket_change_status, ticket_reply

    ticket = ticket_file(actor=requester, subject=subject, description=description or subject)
    ticket_reply(actor=engineer, ticket=ticket, body=answer)
    ticket = ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    if index:
        suggestion_ticket_index()
    return ticket


def solution_article(*, title: str, answer: str, question: str = "", product=None, published: bool = True):
    """A solution article as the seed writes it, through library_item_index (published or a draft)."""
    item = LibraryItemFactory(
        kind=LibraryItem.Kind.SOLUTION,
        title=title,
        description=question or title,
        answer=answer,
        tags="",
        product=product,
        is_published=published,
    )
    return item
