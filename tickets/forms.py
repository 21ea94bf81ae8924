import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from tickets.models import OPEN_STATUSES, DevelopmentItem, Ticket
from tickets.services.filing import attachment_validate


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked against the desk's size and type limits."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in files]
        errors = []
        for upload in cleaned:
            try:
                attachment_validate(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def _attachments_field():
    return MultipleFileField(
        label=_("Attachments"),
        help_text=_("Up to %(limit)s each: %(types)s.")
        % {
            "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            "types": ", ".join(settings.ATTACHMENT_ALLOWED_EXTENSIONS),
        },
    )


class TicketForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Ticket.Kind.choices, initial=Ticket.Kind.QUESTION)
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=None, required=False, empty_label=_("Not sure")
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("What happened, what you expected, and the steps to see it."),
    )
    # The answers the page suggested while the ticket was written ("kind:id,…"), kept with it.
    suggestions_shown = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["attachments"] = _attachments_field()

    def clean_suggestions_shown(self) -> list[str]:
        shown = self.cleaned_data.get("suggestions_shown") or ""
        return [
            part for part in shown.split(",") if re.fullmatch(r"(article|library|ticket):\d{1,12}", part)
        ][:20]


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 4}))
    # The newest message of the conversation when the page was shown: a reply crossing a newer
    # one is held for confirmation (confirmed set) instead of being sent blind.
    last_seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # The macro the text came from (the desk's composer): its status and kind are set once sent.
    macro = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()


class MacroForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Placeholders: {{ requester.first_name }}, {{ ticket.id }}, {{ sla.due }}."),
    )
    status = forms.ChoiceField(
        label=_("Sets status"), choices=[("", _("No change")), *Ticket.Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Sets kind"), choices=[("", _("No change")), *Ticket.Kind.choices], required=False
    )
    shared = forms.BooleanField(
        label=_("Shared with the whole desk"),
        required=False,
        help_text=_("Only the desk lead keeps shared macros; others keep their own."),
    )

    def __init__(self, *args, can_share: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_share:
            del self.fields["shared"]


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the desk sees notes."),
    )


class ContactForm(forms.Form):
    body = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=24 * 60, required=False
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Ticket.Status.choices)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, engineers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = engineers


class EscalateForm(forms.Form):
    item = forms.IntegerField(
        label=_("Link to development item no."),
        required=False,
        min_value=1,
        help_text=_("Leave empty to open a new item from this ticket."),
    )
    title = forms.CharField(label=_("Title of a new item"), max_length=200, required=False)
    expected_on = forms.DateField(
        label=_("Planned date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Description for the customers"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DevelopmentForm(forms.Form):
    """The development item's changes, on the desk's ticket page and the development queue."""

    state = forms.ChoiceField(label=_("State"), choices=DevelopmentItem.State.choices)
    planned_on = forms.DateField(
        label=_("Planned date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    planned_version = forms.CharField(label=_("Planned version"), max_length=40, required=False)
    released_version = forms.CharField(label=_("Released version"), max_length=40, required=False)
    public_note = forms.CharField(
        label=_("Description for the customers"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    declined_reason = forms.CharField(
        label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    @classmethod
    def for_item(cls, item, **kwargs):
        fields = (
            "state",
            "planned_on",
            "planned_version",
            "released_version",
            "public_note",
            "declined_reason",
        )
        return cls(initial={name: getattr(item, name) for name in fields}, **kwargs)


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; unknown values are simply ignored."""

    package = forms.ChoiceField(label=_("Package"), required=False)
    # A free-text short name: the desk serves thousands of institutions, too many for a list.
    institution = forms.SlugField(
        label=_("Institution"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("short name, e.g. premium")}),
    )
    product = forms.ChoiceField(label=_("Product"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    scope = forms.ChoiceField(
        label=_("Assigned"),
        required=False,
        choices=[("", _("Everyone")), ("mine", _("Mine")), ("unassigned", _("Unassigned"))],
    )

    def __init__(self, *args, packages: list[tuple[str, str]], products: list[tuple[str, str]], **kwargs):
        """packages and products: (code, name) pairs."""
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["package"].choices = every + list(packages)
        self.fields["product"].choices = every + list(products)
        self.fields["status"].choices = every + [(s, Ticket.Status(s).label) for s in OPEN_STATUSES]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        name = person.get_full_name()
        return f"{name} ({person.username})" if name else person.username


class ShareForm(forms.Form):
    """One target of the ticket's institution: a person, a unit or a region."""

    person = PersonChoiceField(label=_("Person"), queryset=None, required=False, empty_label="—")
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False, empty_label="—")
    region = forms.ModelChoiceField(label=_("Region"), queryset=None, required=False, empty_label="—")

    def __init__(self, *args, people, units, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["unit"].queryset = units
        self.fields["region"].queryset = regions

    def clean(self):
        data = super().clean()
        if not self.errors and len([value for value in data.values() if value]) != 1:
            raise forms.ValidationError(_("Choose one person, one unit or one region to share with."))
        return data


class DevelopmentFilterForm(forms.Form):
    """The development queue's filters and order, read from the query string."""

    product = forms.ChoiceField(label=_("Product"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    package = forms.ChoiceField(label=_("Reported on package"), required=False)
    q = forms.CharField(label=_("Words or no."), required=False, max_length=200)
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("priority", _("Package priority")),
            ("institutions", _("Institutions reporting")),
            ("newest", _("Newest")),
        ],
    )

    def __init__(self, *args, packages: list[tuple[str, str]], products: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["product"].choices = every + list(products)
        self.fields["package"].choices = every + list(packages)
        self.fields["state"].choices = every + list(DevelopmentItem.State.choices)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Merge into development item no."), min_value=1)
