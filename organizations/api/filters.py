import django_filters
from django import forms

from organizations.models import User
from organizations.roles import Role


class IdFilter(django_filters.NumberFilter):
    """A whole, positive row id within the range every database stores (a 64-bit integer)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class PersonFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, field_name="role", help_text="Only this role.")
    is_active = django_filters.BooleanFilter(help_text="Only active (true) or deactivated (false) people.")
    # Plain ids, not model choices: a choice field would look the id up across institutions.
    unit = IdFilter(field_name="unit_id", help_text="Only people of this unit.")
    region = IdFilter(field_name="region_id", help_text="Only people of this region.")

    class Meta:
        model = User
        fields = ["role", "is_active", "unit", "region"]
