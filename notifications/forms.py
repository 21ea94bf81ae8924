from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Kind, Mode, PushMode
from .selectors import email_fixed, modes_allowed, push_modes_allowed

PUSH_PREFIX = "push_"


class PreferencesForm(forms.Form):
    """Per kind the person receives, one choice per channel: e-mail (on, digest only, off;
    mandatory kinds shown fixed on) and push to their devices (on, off) where the kind is pushed."""

    language = forms.ChoiceField(label=_("Language of my e-mails"), choices=settings.LANGUAGES)

    def __init__(self, *args, modes: dict[str, str], language: str, push: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = language
        for kind, mode in modes.items():
            choices = [(m, Mode(m).label) for m in modes_allowed(kind)]
            field = forms.ChoiceField(label=Kind(kind).label, choices=choices, initial=mode)
            if email_fixed(kind):
                field.disabled = True
                field.help_text = _("Required for your role; cannot be turned off.")
            self.fields[kind] = field
            if push_modes_allowed(kind):
                self.fields[PUSH_PREFIX + kind] = forms.ChoiceField(
                    label=_("%(kind)s: push to my devices") % {"kind": Kind(kind).label},
                    choices=[(m, PushMode(m).label) for m in push_modes_allowed(kind)],
                    initial=push.get(kind, PushMode.ON),
                    required=False,
                )

    def modes(self) -> dict[str, str]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "language" and not name.startswith(PUSH_PREFIX) and not email_fixed(name)
        }

    def push(self) -> dict[str, str]:
        return {
            name.removeprefix(PUSH_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(PUSH_PREFIX) and value
        }
