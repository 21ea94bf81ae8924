import datetime
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.selectors import institution_list_all_institutions
from packages.errors import QuotaError
from packages.models import Channel
from tickets.models import Ticket
from tickets.selectors import product_list

from .models import ContactRequest, OnboardingItem
from .selectors import customer_get_all_institutions, vendor_person_list

T = TypeVar("T")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PeopleForm(forms.Form):
    """A form choosing trainers or engineers among vendor staff. The people are read once per
    page and handed to every row's form, so a list of bookings costs no query per row."""

    person_fields: tuple[str, ...] = ()

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = list(vendor_person_list()) if people is None else people
        self.people = {person.pk: person for person in people}
        choices = [("", "---------")] + [(p.pk, p.get_full_name() or p.username) for p in people]
        for name in self.person_fields:
            self.fields[name].choices = choices

    def clean(self):
        cleaned = super().clean()
        for name in self.person_fields:
            if cleaned.get(name) is not None:
                cleaned[name] = self.people[cleaned[name]]
        return cleaned


class WorkshopRequestForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    product = forms.ModelChoiceField(label=_("Product"), queryset=None, required=False, to_field_name="code")
    date1 = forms.DateField(label=_("First preferred date"), widget=DateInput())
    date2 = forms.DateField(label=_("Second preferred date"), widget=DateInput())
    date3 = forms.DateField(label=_("Third preferred date"), widget=DateInput(), required=False)
    participants = forms.IntegerField(label=_("Expected participants"), min_value=1, max_value=10000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = product_list()

    def preferred_dates(self) -> list[datetime.date]:
        return [day for day in (self.cleaned_data.get(f"date{i}") for i in (1, 2, 3)) if day]


class WorkshopScheduleForm(PeopleForm):
    person_fields = ("trainer",)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    trainer = forms.TypedChoiceField(label=_("Trainer"), coerce=int)
    meeting_url = forms.URLField(label=_("Meeting link"), max_length=200, assume_scheme="https")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class HeldForm(forms.Form):
    attended = forms.IntegerField(label=_("Participants who attended"), min_value=0, max_value=10000)


def _person_label(person) -> str:
    name = person.get_full_name() or person.username
    return f"{name} ({person.email})" if person.email else name


class ParticipantsForm(forms.Form):
    """Who joined a held workshop, among the people of its institution."""

    people = forms.MultipleChoiceField(
        label=_("Who joined"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The number of participants becomes the number of people ticked."),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(person.pk, _person_label(person)) for person in choices]

    def clean_people(self):
        return [int(pk) for pk in self.cleaned_data["people"]]


class OnsiteRequestForm(forms.Form):
    first_day = forms.DateField(label=_("First day"), widget=DateInput())
    days = forms.IntegerField(
        label=_("Number of consecutive days"),
        min_value=1,
        max_value=20,
        initial=1,
        help_text=_("6 hours a day."),
    )
    address = forms.CharField(label=_("Address"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    purpose = forms.CharField(label=_("Purpose"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40)

    def dates(self) -> list[datetime.date]:
        first = self.cleaned_data["first_day"]
        return [first + datetime.timedelta(days=i) for i in range(self.cleaned_data["days"])]


class OnsiteQuoteForm(forms.Form):
    day_rate = forms.DecimalField(
        label=_("Day rate (TL, VAT excluded)"), max_digits=12, decimal_places=2, min_value=0
    )
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput())


class EngineerForm(PeopleForm):
    person_fields = ("engineer",)
    engineer = forms.TypedChoiceField(label=_("Engineer"), coerce=int)


class ReportForm(forms.Form):
    report = forms.CharField(label=_("Report"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class OnboardingRecordForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=None)
    product = forms.ModelChoiceField(label=_("Product"), queryset=None)
    version = forms.CharField(label=_("Version"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=OnboardingItem.Kind.choices)
    purchased_on = forms.DateField(label=_("Purchase or update date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institution_list_all_institutions()
        self.fields["product"].queryset = product_list()


class OnboardingScheduleForm(EngineerForm):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())


class OnboardingCompleteForm(forms.Form):
    completed_at = forms.DateTimeField(
        label=_("Completed at"),
        widget=DateTimeInput(),
        required=False,
        help_text=_("When the introduction and installation actually ended; empty means now."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def form_errors(form: forms.Form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def form_submit(form: forms.Form, call: Callable[[], T]) -> T | None:
    """Run the service a valid form asks for and return what it made; a quota or validation
    refusal becomes the form's errors instead (and None), so the page shows the form again."""
    try:
        return call()
    except QuotaError as error:
        form.add_error(None, error.message())
    except ValidationError as error:
        apply_errors(form, error)
    return None


class ContactRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What would help"), choices=ContactRequest.Kind.choices)
    preferred_times = forms.CharField(
        label=_("When can we reach you?"), max_length=300, help_text=_("For example: weekdays 14:00–17:00")
    )


class DutyPlanForm(forms.Form):
    """A duty change planned ahead: whose (the desk lead chooses; an engineer plans their own),
    when, and on or off."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    at = forms.DateTimeField(label=_("From"), widget=DateTimeInput())
    is_on_duty = forms.TypedChoiceField(
        label=_("Duty"),
        choices=[("1", _("On duty")), ("0", _("Off duty"))],
        coerce=lambda value: value == "1",
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class DeadlineForm(forms.Form):
    due_at = forms.DateTimeField(label=_("New first-response deadline"), widget=DateTimeInput())


class DeskFilingForm(forms.Form):
    requester = forms.CharField(label=_("Customer's username"), max_length=150)
    channel = forms.ChoiceField(
        label=_("Came in by"),
        choices=[
            (Channel.PHONE, _("Phone")),
            (Channel.REMOTE, _("Remote session")),
            (Channel.ONSITE_DAYS, _("On-site")),
        ],
    )
    called_at = forms.DateTimeField(label=_("Time of the call or visit"), widget=DateTimeInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=())
    product = forms.ModelChoiceField(label=_("Product"), queryset=None, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Ticket.Kind.choices
        self.fields["product"].queryset = product_list()

    def clean_requester(self):
        person = customer_get_all_institutions(username=self.cleaned_data["requester"].strip())
        if person is None:
            raise ValidationError(_("No active customer has this username."))
        return person

    def clean_called_at(self):
        value = self.cleaned_data["called_at"]
        if value > timezone.now():
            raise ValidationError(_("The call or visit cannot be in the future."))
        return value
