import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .periods import PERIOD_KINDS, PeriodError, period_resolve
from .services.surveys import SCORES


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the resolution?"),
        choices=[(s, str(s)) for s in SCORES],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 very dissatisfied, 5 very satisfied."),
        error_messages={
            "required": _("Choose a score from 1 to 5."),
            "invalid_choice": _("Choose a score from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PeriodForm(forms.Form):
    """The report's period: a month, a quarter, the contract year or a custom range."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_KINDS, required=False, initial="month")
    month = forms.CharField(
        label=_("Month"),
        required=False,
        help_text=_("YYYY-MM"),
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    quarter = forms.CharField(label=_("Quarter"), required=False, help_text=_("YYYY-Q1 … YYYY-Q4"))
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, today: datetime.date, contract_start: datetime.date | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.contract_start = contract_start

    def clean(self):
        data = super().clean()
        try:
            data["range"] = period_resolve(
                kind=data.get("period") or "month",
                month=data.get("month") or "",
                quarter=data.get("quarter") or "",
                start=data.get("start"),
                end=data.get("end"),
                today=self.today,
                contract_start=self.contract_start,
            )
        except PeriodError as exc:
            raise forms.ValidationError(exc.message(), code=exc.code) from None
        return data
