from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import MANDATORY_KINDS, Kind, Mode
from .selectors import modes_allowed


class PreferencesForm(forms.Form):
    """One choice per kind the person receives; mandatory kinds are shown, fixed on."""

    language = forms.ChoiceField(label=_("Language of my e-mails"), choices=settings.LANGUAGES)

    def __init__(self, *args, modes: dict[str, str], language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = language
        for kind, mode in modes.items():
            choices = [(m, Mode(m).label) for m in modes_allowed(kind)]
            field = forms.ChoiceField(label=Kind(kind).label, choices=choices, initial=mode)
            if kind in MANDATORY_KINDS:
                field.disabled = True
                field.help_text = _("Required for your role; cannot be turned off.")
            self.fields[kind] = field

    def modes(self) -> dict[str, str]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "language" and name not in MANDATORY_KINDS
        }
