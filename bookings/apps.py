from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self):
        from tickets.api.queue import queue_contact_requests_register

        from .api.contact import queue_contact_requests

        queue_contact_requests_register(queue_contact_requests)
