from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .roles import Role


def form_errors_add(form: forms.Form, error: Exception) -> None:
    """Show a service's refusal on the form that asked for it: a ValidationError's messages next to
    their fields (above the form for a field the form does not have), any other domain error (a
    quota error, which renders itself as a sentence) above the form."""
    if not isinstance(error, ValidationError):
        form.add_error(None, str(error))
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


INSTITUTION_ROLES = [
    (Role.CUSTOMER, Role.CUSTOMER.label),
    (Role.UNIT_MANAGER, Role.UNIT_MANAGER.label),
    (Role.REGION_MANAGER, Role.REGION_MANAGER.label),
    (Role.INSTITUTION_ADMIN, Role.INSTITUTION_ADMIN.label),
]


class PersonAddForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=INSTITUTION_ROLES, initial=Role.CUSTOMER)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=True),
        help_text=_("Tell the person this password; they can change it after logging in."),
    )

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class PersonInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=INSTITUTION_ROLES, initial=Role.CUSTOMER)


class NameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)


class UnitCreateForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Unit name"), max_length=120)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class PersonMoveForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        required=False,
        empty_label=_("No unit"),
    )

    def __init__(self, *args, people, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["unit"].queryset = units


class GrantForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Manager"),
        queryset=None,
        help_text=_("A unit manager monitors their unit, a region manager their whole region."),
    )

    def __init__(self, *args, managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = managers
        self.fields["person"].label_from_instance = _manager_label


def _manager_label(person) -> str:
    name = person.get_full_name() or person.username
    return f"{name} · {person.unit or person.region or '—'}"


class AuditFilterForm(forms.Form):
    """Narrows the audit log page; vendor staff also choose the institution."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=None, required=False)

    def __init__(self, *args, action_choices, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *action_choices]
        if institutions is None:
            del self.fields["institution"]
        else:
            self.fields["institution"].queryset = institutions
            self.fields["institution"].empty_label = _("All institutions")
