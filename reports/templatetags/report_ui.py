from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value):
    """0.8333 → "83,3 %" in Turkish, "83.3 %" in English; a dash when there is nothing to divide."""
    if value is None:
        return "—"
    return f"{number_format(round(value * 100, 1), 1)} %"


@register.filter
def figure(value, digits=1):
    if value is None:
        return "—"
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    return number_format(value, int(digits), force_grouping=True)


@register.filter
def label_of(value, choices):
    """The translated label of a stored choice value."""
    return dict(choices).get(value, value if value else "—")
