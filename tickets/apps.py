from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        from django.db.models.signals import post_delete

        from .models import Ticket
        from .services.sharing import ticket_permissions_forget

        # Also on deletions cascaded from an institution: guardian's rows point at the ticket by
        # content type and primary key, not a foreign key, so nothing else removes them.
        post_delete.connect(ticket_permissions_forget, sender=Ticket, dispatch_uid="ticket_permissions_forget")
