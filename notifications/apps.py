from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from anymail.signals import inbound

        from core.languages import email_language_register
        from core.outbox import outbox_renderer_register

        from .receivers import anymail_inbound
        from .selectors import language_for
        from .services.delivery import RENDERER, notification_render

        # The e-mail language chosen on the preferences page, for the apps that write e-mails
        # without importing this one (bookings, learning, packages, reports).
        email_language_register(lambda person_id: language_for(person_id=person_id))
        # The outbox renders a notification's e-mail when it sends it, by this name.
        outbox_renderer_register(RENDERER, notification_render)

        # django-anymail hands provider webhooks over only as this signal; the receiver just
        # passes the raw message to the same service the IMAP poll uses.
        inbound.connect(anymail_inbound, dispatch_uid="notifications.anymail_inbound")

        # The breach forecast's alert reaches a desk lead's phone through the one push path.
        from tickets.forecast.services import forecast_push_register

        from .services.push import forecast_alert_push

        forecast_push_register(forecast_alert_push)
