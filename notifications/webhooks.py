from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.conf import settings
from django.http import Http404
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def mailgun_inbound(request, *args):
    """Mailgun's inbound route (forward to this URL), through django-anymail, which checks the
    HMAC signature with ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"] and sends its inbound signal.
    Without a signing key the endpoint does not exist: an unsigned intake would let anyone post
    mail as anyone."""
    if not settings.ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY"):
        raise Http404
    return MailgunInboundWebhookView.as_view()(request)
