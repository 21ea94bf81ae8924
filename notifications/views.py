from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .forms import PreferencesForm
from .models import Kind
from .selectors import language_for, preference_modes_for
from .services.preferences import preference_update, unsubscribe
from .tokens import unsubscribe_token_read


@login_required
def preferences(request):
    """The person's own notification preferences: each kind on, digest only or off."""
    person = request.user
    form = PreferencesForm(
        request.POST or None,
        modes=preference_modes_for(person=person),
        language=language_for(person_id=person.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            preference_update(actor=person, modes=form.modes(), language=form.cleaned_data["language"])
        except ValidationError as exc:
            for kind, errors in exc.message_dict.items():
                form.add_error(kind if kind in form.fields else None, errors)
        else:
            messages.success(request, _("Your notification preferences were saved."))
            return redirect("notification-preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@csrf_exempt
def unsubscribe_view(request, token: str):
    """The one-click link of an e-mail (RFC 8058): a mail client POSTs to it without a session,
    so there is no login and no CSRF token; the signed token is the authority. A GET (a person
    following the link) only shows the button, so link scanners cannot unsubscribe anyone."""
    read = unsubscribe_token_read(token)
    if read is None:
        raise Http404
    kind_label = Kind(read[1]).label if read[1] in Kind.values else read[1]
    if request.method == "POST":
        if unsubscribe(token=token) is None:
            raise Http404
        return render(request, "notifications/unsubscribe.html", {"done": True, "kind": kind_label})
    return render(request, "notifications/unsubscribe.html", {"done": False, "kind": kind_label})
