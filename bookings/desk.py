"""The desk's own pages outside the Django admin: a customer's call-back request on a ticket,
filing for a customer who called or was visited, the desk lead's deadline correction, and going
on or off duty."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.decorators import role_required
from organizations.roles import CUSTOMER_SIDE, Role
from organizations.selectors import duty_change_list_upcoming, person_list_desk
from organizations.services import duty_change_schedule, person_set_on_duty
from tickets.selectors import ticket_get_visible
from tickets.services import ticket_deadline_correct, ticket_file

from .forms import (
    ContactRequestForm,
    DeadlineForm,
    DeskFilingForm,
    DutyPlanForm,
    apply_errors,
    form_errors,
    form_submit,
)
from .services import contact_request_add


def _ticket(request, pk):
    ticket = ticket_get_visible(person=request.user, pk=pk)
    if ticket is None:
        raise Http404
    return ticket


@require_POST
@role_required(*CUSTOMER_SIDE)
def ticket_contact_request(request, pk):
    ticket = _ticket(request, pk)
    form = ContactRequestForm(request.POST, prefix="contact")
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("ticket-detail", pk)
    try:
        contact_request_add(actor=request.user, ticket=ticket, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The desk will contact you at the time you gave."))
    return redirect("ticket-detail", pk)


@role_required(Role.DESK_LEAD, Role.PACKAGE_MANAGER)
def ticket_deadline(request, pk):
    ticket = _ticket(request, pk)
    form = DeadlineForm(request.POST or None, initial={"due_at": ticket.first_response_due_at})
    corrected = (
        request.method == "POST"
        and form.is_valid()
        and form_submit(
            form,
            lambda: ticket_deadline_correct(
                actor=request.user, ticket=ticket, due_at=form.cleaned_data["due_at"]
            ),
        )
    )
    if corrected:
        messages.success(request, _("The deadline was corrected; the workers act on the new one."))
        return redirect("ticket-detail", pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "bookings/ticket_deadline.html", {"ticket": ticket, "form": form}, status=status)


@role_required(Role.SUPPORT_ENGINEER, Role.DESK_LEAD)
def desk_duty(request):
    is_lead = request.user.role == Role.DESK_LEAD
    plannable = person_list_desk() if is_lead else person_list_desk().filter(pk=request.user.pk)
    plan = DutyPlanForm(
        request.POST if request.POST.get("plan") else None,
        people=plannable,
        initial={"person": request.user.pk},
        prefix="plan",
    )
    if request.method == "POST" and request.POST.get("plan"):
        if plan.is_valid():
            try:
                duty_change_schedule(actor=request.user, **plan.cleaned_data)
            except PermissionDenied as error:
                messages.error(request, str(error))
            except ValidationError as error:
                apply_errors(plan, error)
            else:
                messages.success(request, _("The duty change is planned; the breach forecast counts on it."))
                return redirect("desk-duty")
        return _duty_page(request, is_lead, plan, status=400)
    if request.method == "POST":
        pk = request.POST.get("person", "")
        people = {person.pk: person for person in person_list_desk()}
        person = people.get(int(pk)) if pk.isdigit() else None
        if person is None:
            raise Http404
        try:
            person_set_on_duty(
                actor=request.user, person=person, is_on_duty=request.POST.get("on_duty") == "1"
            )
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s is now %(state)s.")
                % {
                    "name": person.get_full_name() or person.username,
                    "state": _("on duty") if person.is_on_duty else _("off duty"),
                },
            )
        return redirect("desk-duty")
    return _duty_page(request, is_lead, plan)


def _duty_page(request, is_lead: bool, plan: DutyPlanForm, status: int = 200):
    people = list(person_list_desk()) if is_lead else [request.user]
    planned = duty_change_list_upcoming(person=None if is_lead else request.user)
    return render(
        request,
        "bookings/desk_duty.html",
        {"people": people, "is_lead": is_lead, "plan": plan, "planned": planned},
        status=status,
    )


@role_required(Role.SUPPORT_ENGINEER, Role.DESK_LEAD)
def desk_ticket_new(request):
    """File a ticket for a customer who called or was visited, counted on that channel's quota,
    with the clock started at the call."""
    form = DeskFilingForm(
        request.POST or None, initial={"called_at": timezone.localtime().replace(second=0, microsecond=0)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ticket = form_submit(
            form,
            lambda: ticket_file(
                actor=data["requester"],
                filed_by=request.user,
                channel=data["channel"],
                at=data["called_at"],
                subject=data["subject"],
                description=data["description"],
                kind=data["kind"],
                product=data["product"],
            ),
        )
        if ticket is not None:
            messages.success(
                request,
                _("Ticket #%(id)s was filed for %(name)s.")
                % {
                    "id": ticket.pk,
                    "name": ticket.requester.get_full_name() or ticket.requester.username,
                },
            )
            return redirect("ticket-detail", ticket.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "bookings/desk_ticket_new.html", {"form": form}, status=status)
