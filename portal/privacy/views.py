"""The institution admin's data-protection page for one of its people: download their data, or
anonymise them after typing their username; and vendor staff's destruction record as PDF."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from organizations.decorators import own_institution_row, role_required
from organizations.permissions import require_institution_admin
from organizations.roles import Role
from organizations.selectors import person_get

from .anonymise import person_anonymise
from .export import export_filename, person_export_archive
from .records import destruction_record_get, destruction_record_pdf


class AnonymiseForm(forms.Form):
    confirm = forms.CharField(
        label=gettext_lazy("Type the person's username to confirm"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, username: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.username = username

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value != self.username:
            raise ValidationError(_("Type the person's username exactly to confirm."))
        return value


def _person_or_404(request, pk):
    return own_institution_row(request, person_get, pk, check=require_institution_admin)


@role_required(Role.INSTITUTION_ADMIN)
def person_privacy(request, pk):
    person = _person_or_404(request, pk)
    form = AnonymiseForm(request.POST or None, username=person.username)
    if request.method == "POST":
        if person.pk == request.user.pk:
            raise PermissionDenied(_("You cannot change your own role or access."))
        if form.is_valid():
            person_anonymise(actor=request.user, person=person)
            messages.success(request, _("The person was anonymised."))
            return redirect("people")
        return render(request, "portal/person_privacy.html", {"person": person, "form": form}, status=400)
    return render(request, "portal/person_privacy.html", {"person": person, "form": form})


@role_required(Role.INSTITUTION_ADMIN)
def person_privacy_export(request, pk):
    person = _person_or_404(request, pk)
    archive = person_export_archive(actor=request.user, person=person)
    return FileResponse(
        archive, as_attachment=True, filename=export_filename(person), content_type="application/zip"
    )


@role_required(Role.PACKAGE_MANAGER, Role.DESK_LEAD)
def destruction_record_download(request, pk):
    record = destruction_record_get(pk=pk)
    if record is None:
        raise Http404
    response = HttpResponse(
        destruction_record_pdf(record=record, language=get_language()), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="imha-tutanagi-{record.pk}.pdf"'
    return response
