from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .forms import PUSH_PREFIX, PreferencesForm
from .models import Kind
from .selectors import language_for, preference_modes_for, push_modes_for
from .services.preferences import preference_update, unsubscribe
from .tokens import unsubscribe_token_read


@login_required
def preferences(request):
    """The person's own notification preferences: per kind, e-mail on, digest only or off, and push
    on or off; and the button that lets this browser receive pushes."""
    person = request.user
    form = PreferencesForm(
        request.POST or None,
        modes=preference_modes_for(person=person),
        language=language_for(person_id=person.pk),
        push=push_modes_for(person=person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            preference_update(
                actor=person, modes=form.modes(), language=form.cleaned_data["language"], push=form.push()
            )
        except ValidationError as exc:
            for kind, errors in exc.message_dict.items():
                name = kind.replace("push.", PUSH_PREFIX)
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Your notification preferences were saved."))
            return redirect("notification-preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "vapid_public_key": settings.VAPID_PUBLIC_KEY,
            "push_subscriptions_url": reverse("api-me-push-subscriptions"),
        },
    )


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
