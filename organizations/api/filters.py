import django_filters

from organizations.models import User
from organizations.roles import Role


class PersonFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, field_name="role", help_text="Only this role.")
    is_active = django_filters.BooleanFilter(help_text="Only active (true) or deactivated (false) people.")
    # Plain ids, not model choices: a choice field would look the id up across institutions.
    unit = django_filters.NumberFilter(field_name="unit_id", help_text="Only people of this unit.")
    region = django_filters.NumberFilter(field_name="region_id", help_text="Only people of this region.")

    class Meta:
        model = User
        fields = ["role", "is_active", "unit", "region"]
