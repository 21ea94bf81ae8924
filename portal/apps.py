from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        # The apps of one layer do not import each other; what one shows of another is wired
        # here, in the composition layer, through the registries the showing app offers.
        from bookings.selectors import calendar_source_register, workshops_joined_by_group
        from learning.extras import reminder_listener_register
        from learning.selectors import (
            deflection_counts_by_month,
            training_calendar_entries,
            trainings_attended_by_group,
        )
        from notifications.extras import email_link_register, push_link_register
        from notifications.models import Kind
        from performance.figures import FigureProvider, figure_provider_register
        from reports.extras import deflection_source_register, report_section_register
        from slaportal.metrics import metrics_collector_register

        from .metrics import COLLECTORS
        from .wiring import (
            performance_report_section,
            survey_email_link,
            survey_push_link,
            training_reminder_push,
        )

        figure_provider_register(
            FigureProvider(
                key="trainings_attended", label=_("Trainings attended"), collect=trainings_attended_by_group
            )
        )
        figure_provider_register(
            FigureProvider(
                key="workshops_joined", label=_("Workshops joined"), collect=workshops_joined_by_group
            )
        )
        deflection_source_register(deflection_counts_by_month)
        email_link_register(Kind.RESOLVED, survey_email_link)
        push_link_register(Kind.RESOLVED, survey_push_link)
        reminder_listener_register(training_reminder_push)
        calendar_source_register(training_calendar_entries)
        report_section_register(performance_report_section)
        for collect in COLLECTORS:
            metrics_collector_register(collect)
