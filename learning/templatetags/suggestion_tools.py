"""The desk's panel of similar answers on the ticket page, rendered from the learning app so the
ticket page only includes it: `{% load suggestion_tools %}{% similar_answers ticket %}`."""

from django import template

from organizations.permissions import is_desk

from ..ranking import similar_for_ticket

register = template.Library()


@register.inclusion_tag("learning/includes/similar_answers.html", takes_context=True)
def similar_answers(context, ticket, composer="textarea[name=body]"):
    """The five resolved tickets and articles most like the ticket (its product first), each
    answer one click away with "Use this answer" filling `composer` (a CSS selector). Desk only;
    nothing for anyone else."""
    user = context["request"].user
    if not is_desk(user):
        return {"show": False}
    return {
        "show": True,
        "ticket": ticket,
        "similar": similar_for_ticket(person=user, ticket=ticket),
        "composer": composer,
        "can_draft": ticket.status in ("resolved", "closed"),
        "csrf_token": context.get("csrf_token"),
    }
