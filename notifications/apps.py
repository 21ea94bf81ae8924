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

        # The breach forecast's alert reaches a desk lead's phone through the one push path.
        from tickets.forecast.services import forecast_push_register

        from .services.push import forecast_alert_push

        forecast_push_register(forecast_alert_push)
