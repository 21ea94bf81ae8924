from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LibraryItem


class TrainingFilterForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Product"), empty_label=_("All products")
    )

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products


class LibraryFilterForm(forms.Form):
    q = forms.CharField(
        required=False, max_length=200, label=_("Search"), widget=forms.TextInput(attrs={"type": "search"})
    )
    kind = forms.ChoiceField(required=False, label=_("Kind"))
    product = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Product"), empty_label=_("All products")
    )

    def __init__(self, *args, products, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["kind"].choices = [("", _("All kinds"))] + [
            (value, label) for value, label in LibraryItem.Kind.choices if value in kinds
        ]


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(
        required=False, label=_("Attended"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["attended"]
        field.choices = [
            (str(r.person_id), f"{r.person.get_full_name() or r.person.username} · {r.institution.name}")
            for r in registrations
        ]
        if not self.is_bound:
            field.initial = [str(r.person_id) for r in registrations if r.attended_at]

    def person_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["attended"]]


class AttendanceImportForm(forms.Form):
    csv = forms.FileField(
        label=_("Participants exported from the meeting tool (CSV)"),
        help_text=_("Every e-mail address in the file is marked as attended."),
    )


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    question = forms.CharField(
        label=_("Question"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Rewritten without the institution's or the person's names."),
    )
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 7}))
