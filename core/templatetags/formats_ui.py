"""Numbers and amounts in the reader's language, for every template: `{% load formats_ui %}`,
then `{{ total|money }}` ("12.500,00 TL") and `{{ count|number }}` ("12.500")."""

from django import template

from core import charts

register = template.Library()


@register.filter
def money(value):
    return charts.money(value)


@register.filter
def number(value, digits=None):
    return charts.number(value, None if digits is None else int(digits))
