import factory

from core.models import IdempotencyRecord

from .organizations import PersonFactory


class IdempotencyRecordFactory(factory.django.DjangoModelFactory):
    """A stored answer to an Idempotency-Key request (created_at is now: move the clock to age it)."""

    class Meta:
        model = IdempotencyRecord

    person = factory.SubFactory(PersonFactory)
    key = factory.Sequence(lambda n: f"key-{n}")
    scope = "POST /api/v1/tickets/"
    request_hash = ""
    status_code = 201
    response_body = factory.LazyFunction(lambda: {"id": 1})


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    """An outbox e-mail row (core); pass status="sent" and sent_at for a sent one."""

    class Meta:
        model = "core.OutboxMessage"

    cause = factory.Sequence(lambda n: f"test:{n}")
    recipient = "lead@example.test"
    language = "tr"
    subject = "Konu"
    body = "Metin"
