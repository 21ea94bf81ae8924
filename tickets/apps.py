from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        # /health/ reads the SLA sweep's heartbeat through core, without importing tickets.
        from core.heartbeats import SLA_SWEEP, heartbeat_reader_register

        from . import audit_texts  # noqa: F401  (the audit log's sentences for tickets' actions)
        from .selectors import engine_heartbeat_age

        heartbeat_reader_register(SLA_SWEEP, lambda: engine_heartbeat_age(name=SLA_SWEEP))

        # Someone going on or off duty changes the breach forecast: organizations tells tickets
        # through its listener, since it cannot import tickets.
        from organizations.services import duty_listener_register

        from .dispatch import forecast_stale

        duty_listener_register(forecast_stale)
