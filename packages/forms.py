"""The vendor's sale forms. Ranges are checked by packages.services, which says per field what
is out of range; these forms only collect the figures."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel

FIGURE_CHANNELS = [Channel.WRITTEN, Channel.PHONE, Channel.REMOTE, Channel.ONSITE_DAYS, Channel.WORKSHOPS]


class FiguresMixin:
    def add_figure_fields(self):
        for channel in FIGURE_CHANNELS:
            self.fields[channel.value] = forms.IntegerField(
                label=channel.label,
                min_value=0,
                required=False,
                help_text=_("Only for a package with a range; leave empty for a fixed or unlimited figure."),
            )

    def figures(self) -> dict[str, int]:
        return {
            c.value: self.cleaned_data[c.value]
            for c in FIGURE_CHANNELS
            if self.cleaned_data.get(c.value) is not None
        }


class SubscriptionSellForm(FiguresMixin, forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=None)
    package = forms.ModelChoiceField(label=_("Package"), queryset=None)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    user_cap = forms.IntegerField(
        label=_("User cap"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for a fixed or open-ended cap."),
    )

    def __init__(self, *args, institutions, packages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["package"].queryset = packages
        self.add_figure_fields()


class SubscriptionRenewForm(FiguresMixin, forms.Form):
    package = forms.ModelChoiceField(label=_("Package"), queryset=None)
    user_cap = forms.IntegerField(label=_("User cap"), min_value=1, required=False)

    def __init__(self, *args, packages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["package"].queryset = packages
        self.add_figure_fields()


class SubscriptionAdjustForm(FiguresMixin, forms.Form):
    user_cap = forms.IntegerField(label=_("User cap"), min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_figure_fields()
