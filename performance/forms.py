from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import GROUPS, report_period


class UsageKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Installation"),
        max_length=50,
        help_text=_("Which installation the key is for, e.g. “Ankara office server”."),
    )


GROUP_LABELS = {"person": _("Person"), "unit": _("Unit"), "region": _("Region")}


class PeriodForm(forms.Form):
    """The report's query: the same parameters as GET /api/v1/performance/ (`from` is a Python
    keyword, so the field is added under that name below)."""

    group_by = forms.ChoiceField(
        label=_("Per"), choices=[(g, GROUP_LABELS[g]) for g in GROUPS], required=False
    )
    to = forms.DateField(label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    field_order = ["group_by", "from", "to"]

    def clean(self):
        data = super().clean()
        data["group_by"] = data.get("group_by") or "person"
        data["from"], data["to"], refusal = report_period(data.get("from"), data.get("to"))
        if refusal:
            self.add_error("from", refusal)
        return data


PeriodForm.base_fields["from"] = forms.DateField(
    label=_("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
)
PeriodForm.base_fields = {name: PeriodForm.base_fields[name] for name in PeriodForm.field_order}
