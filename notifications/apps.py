from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from anymail.signals import inbound

        from .receivers import anymail_inbound

        # django-anymail hands provider webhooks over only as this signal; the receiver just
        # passes the raw message to the same service the IMAP poll uses.
        inbound.connect(anymail_inbound, dispatch_uid="notifications.anymail_inbound")
