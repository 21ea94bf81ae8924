"""The survey pages: the form on the ticket page posts here, and the signed e-mail link opens a
page of its own that needs no login."""

from contextlib import suppress

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets.selectors import ticket_get_visible

from .forms import SurveyForm
from .models import Survey
from .services.surveys import SurveyError, survey_answer, survey_for_ticket, survey_from_token, survey_state


@login_required
@require_POST
def survey_answer_view(request, pk):
    ticket = ticket_get_visible(person=request.user, pk=pk)
    if ticket is None:
        raise Http404
    survey = survey_for_ticket(ticket=ticket)
    if survey is None:
        raise Http404
    form = SurveyForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("ticket-detail", ticket.pk)
    try:
        survey_answer(
            actor=request.user,
            survey=survey,
            ticket=ticket,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
            via=Survey.Via.WEB,
        )
    except SurveyError as exc:
        messages.error(request, exc.message())
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Thank you for rating the resolution."))
    return redirect("ticket-detail", ticket.pk)


def survey_link_view(request, token):
    """The one-click link: the form with the score pre-selected. A tampered or expired link gets
    a page that says so, with status 404 or 410, and records nothing."""
    survey = survey_from_token(token)
    if survey is None:
        return render(request, "reports/survey_link_invalid.html", status=404)
    ticket = survey.ticket
    state = survey_state(survey=survey, ticket=ticket)
    if request.method == "POST":
        form = SurveyForm(request.POST)
        if state == "pending" and form.is_valid():
            # A race lost to another answer shows the state below; nothing more to say.
            with suppress(SurveyError):
                survey_answer(
                    actor=None,
                    survey=survey,
                    ticket=ticket,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    via=Survey.Via.LINK,
                )
            survey.refresh_from_db()
            state = survey_state(survey=survey, ticket=ticket)
    else:
        score = request.GET.get("score", "")
        form = SurveyForm(initial={"score": int(score)} if score in {"1", "2", "3", "4", "5"} else None)
    status = 410 if state == "expired" else 200
    return render(
        request,
        "reports/survey_link.html",
        {"survey": survey, "ticket": ticket, "state": state, "form": form},
        status=status,
    )
