"""The survey form on the ticket page. A template tag rather than a view context, so the ticket
page (tickets) needs no import of reports, which sits above it."""

from django import template

from reports.forms import SurveyForm
from reports.services.surveys import survey_for_ticket, survey_state

register = template.Library()


@register.inclusion_tag("reports/survey_panel.html", takes_context=True)
def survey_panel(context, ticket):
    request = context.get("request")
    person = getattr(request, "user", None)
    if person is None or person.pk != ticket.requester_id or ticket.status not in ("resolved", "closed"):
        return {"show": False}
    survey = survey_for_ticket(ticket=ticket)
    if survey is None:
        return {"show": False}
    return {
        "show": True,
        "ticket": ticket,
        "survey": survey,
        "state": survey_state(survey=survey, ticket=ticket),
        "form": SurveyForm(),
        "csrf_token": context.get("csrf_token"),
    }
