from django.db import transaction

from slaportal.celery import publish

from .models import InboundMessage
from .services.inbound import inbound_receive


def anymail_inbound(sender, event, esp_name, **kwargs):
    """django-anymail's inbound signal (a provider's webhook, already signature-checked)."""
    message = event.message
    inbound_receive(
        raw=message.as_bytes(),
        source=InboundMessage.Source.WEBHOOK,
        envelope_recipient=message.envelope_recipient or "",
    )
    transaction.on_commit(_drain_soon)


def _drain_soon() -> None:
    publish("notifications.dispatch", queue="celery")
