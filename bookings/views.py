"""Pages of the bookings: the institution admin requests and follows workshops, on-site days and
onboarding; vendor staff schedule them and see the week's calendar. Every booking is reached
through the bookings selectors with the person, so another institution's id is a 404."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.decorators import role_required
from organizations.roles import VENDOR_SIDE, Role
from packages.errors import QuotaError
from packages.models import Channel
from packages.selectors import allotment_get, subscription_get_active

from . import selectors, services
from .documents import quote_pdf
from .forms import (
    EngineerForm,
    HeldForm,
    NoteForm,
    OnboardingRecordForm,
    OnboardingScheduleForm,
    OnsiteQuoteForm,
    OnsiteRequestForm,
    OptionalReasonForm,
    ParticipantsForm,
    PeopleForm,
    ReasonForm,
    ReportForm,
    WorkshopRequestForm,
    WorkshopScheduleForm,
    apply_errors,
    form_errors,
)
from .models import OnboardingItem, Workshop
from .permissions import BOOKING_ROLES, workshop_lock

BOOKING_STAFF = tuple(BOOKING_ROLES)
CUSTOMER_PAGES = (Role.CUSTOMER, Role.UNIT_MANAGER, Role.REGION_MANAGER, Role.INSTITUTION_ADMIN)


def _allotment(institution, channel):
    subscription = subscription_get_active(institution=institution)
    return allotment_get(subscription=subscription, channel=channel) if subscription else None


def _refusal(request, error) -> None:
    """A refused action as the page's message: quota and state errors say what to do."""
    if isinstance(error, QuotaError):
        messages.error(request, error.message())
    else:
        messages.error(request, " ".join(error.messages))


# --- the institution admin ----------------------------------------------------------------------


@role_required(Role.INSTITUTION_ADMIN)
def workshop_list(request):
    institution = request.user.institution
    lock = workshop_lock(institution)
    if lock is not None:
        return render(request, "bookings/workshop_locked.html", {"locked": lock})
    form = WorkshopRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.workshop_request(
                    actor=request.user,
                    topic=form.cleaned_data["topic"],
                    product=form.cleaned_data["product"],
                    preferred_dates=form.preferred_dates(),
                    participants=form.cleaned_data["participants"],
                )
            except QuotaError as error:
                form.add_error(None, error.message())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, _("Your workshop request was sent. You will get an e-mail when it is scheduled.")
                )
                return redirect("workshop-list")
        status = 400
    context = {
        "form": form,
        "workshops": selectors.workshop_list_for(person=request.user),
        "allotment": _allotment(institution, Channel.WORKSHOPS),
        "now": timezone.now(),
    }
    return render(request, "bookings/workshop_list.html", context, status=status)


@require_POST
@role_required(Role.INSTITUTION_ADMIN, *VENDOR_SIDE)
def workshop_cancel(request, pk):
    workshop = selectors.workshop_get_for(person=request.user, pk=pk)
    if workshop is None:
        raise Http404
    form = OptionalReasonForm(request.POST)
    form.is_valid()
    try:
        workshop = services.workshop_cancel(
            actor=request.user, workshop=workshop, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        _refusal(request, error)
    else:
        if workshop.is_unit_returned:
            messages.success(request, _("The workshop was cancelled and its unit given back."))
        else:
            messages.success(request, _("The workshop was cancelled."))
    return redirect("workshop-list" if request.user.role == Role.INSTITUTION_ADMIN else "vendor-workshops")


@role_required(Role.INSTITUTION_ADMIN)
def onsite_list(request):
    institution = request.user.institution
    form = OnsiteRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.onsite_request(
                    actor=request.user,
                    dates=form.dates(),
                    address=data["address"],
                    purpose=data["purpose"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                )
            except QuotaError as error:
                form.add_error(None, error.message())
            except ValidationError as error:
                apply_errors(form, error)
                if "dates" in getattr(error, "message_dict", {}):
                    form.add_error("first_day", error.message_dict["dates"])
            else:
                messages.success(request, _("Your on-site request was sent."))
                return redirect("onsite-list")
        status = 400
    context = {
        "form": form,
        "visits": selectors.onsite_list_for(person=request.user),
        "allotment": _allotment(institution, Channel.ONSITE_DAYS),
        "today": timezone.localdate(),
    }
    return render(request, "bookings/onsite_list.html", context, status=status)


@require_POST
@role_required(Role.INSTITUTION_ADMIN)
def onsite_answer(request, pk, answer):
    visit = selectors.onsite_get_for(person=request.user, pk=pk)
    if visit is None or answer not in ("accept", "decline"):
        raise Http404
    service = services.onsite_quote_accept if answer == "accept" else services.onsite_quote_decline
    try:
        service(actor=request.user, visit=visit)
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(
            request,
            _("Quote accepted; we will confirm the engineer.")
            if answer == "accept"
            else _("Quote declined."),
        )
    return redirect("onsite-list")


@role_required(Role.INSTITUTION_ADMIN, *BOOKING_STAFF)
def onsite_quote_pdf(request, pk):
    visit = selectors.onsite_get_for(person=request.user, pk=pk)
    if visit is None or visit.day_rate is None:
        raise Http404
    response = HttpResponse(quote_pdf(visit=visit, language=get_language()), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="quote-{visit.pk}.pdf"'
    return response


@role_required(*CUSTOMER_PAGES)
def onboarding_list(request):
    return render(
        request,
        "bookings/onboarding_list.html",
        {"items": selectors.onboarding_list_for(person=request.user)},
    )


# --- vendor staff -------------------------------------------------------------------------------


def _row_forms(rows, **form_classes) -> None:
    """Each row's forms, with ids of their own (a prefix per row) so the page's labels stay unique."""
    people = list(selectors.vendor_person_list())
    for row in rows:
        row.forms = {}
        for name, form_class in form_classes.items():
            kwargs = {"people": people} if issubclass(form_class, PeopleForm) else {}
            row.forms[name] = form_class(prefix=f"b{row.pk}", **kwargs)


def _row_action(request, booking, forms: dict, page: str, act) -> HttpResponse:
    """Validate the row's form for the action and run it; refusals become the page's message."""
    form = forms[request.resolver_match.kwargs["action"]](request.POST, prefix=f"b{booking.pk}")
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(page)
    try:
        message = act(form.cleaned_data)
    except (QuotaError, ValidationError) as error:
        _refusal(request, error)
    else:
        messages.success(request, message)
    return redirect(page)


@role_required(*BOOKING_STAFF)
def vendor_workshops(request):
    workshops = list(
        selectors.workshop_list_for(person=request.user).order_by("status", "starts_at", "-created_at")[:200]
    )
    _row_forms(
        [w for w in workshops if w.status in (Workshop.Status.REQUESTED, Workshop.Status.SCHEDULED)],
        schedule=WorkshopScheduleForm,
        decline=ReasonForm,
        held=HeldForm,
    )
    return render(request, "bookings/workshop_vendor.html", {"workshops": workshops, "now": timezone.now()})


@require_POST
@role_required(*BOOKING_STAFF)
def vendor_workshop_action(request, pk, action):
    workshop = selectors.workshop_get_for(person=request.user, pk=pk)
    forms = {"schedule": WorkshopScheduleForm, "decline": ReasonForm, "held": HeldForm}
    if workshop is None or action not in forms:
        raise Http404

    def act(data):
        if action == "schedule":
            services.workshop_schedule(actor=request.user, workshop=workshop, **data)
            return _("The workshop was scheduled and one unit drawn.")
        if action == "decline":
            services.workshop_decline(actor=request.user, workshop=workshop, reason=data["reason"])
            return _("The request was declined.")
        services.workshop_mark_held(actor=request.user, workshop=workshop, attended=data["attended"])
        return _("The workshop was marked held.")

    return _row_action(request, workshop, forms, "vendor-workshops", act)


@role_required(*BOOKING_STAFF)
def vendor_workshop_participants(request, pk):
    """The "record participants" step of a held workshop: vendor staff tick who joined, among the
    people of the workshop's institution."""
    workshop = selectors.workshop_get_for(person=request.user, pk=pk)
    if workshop is None or workshop.status != Workshop.Status.HELD:
        raise Http404
    choices = list(selectors.workshop_participant_choices(workshop=workshop))
    if request.method == "POST":
        form = ParticipantsForm(request.POST, choices=choices)
        if form.is_valid():
            try:
                services.workshop_participants_record(
                    actor=request.user, workshop=workshop, people=form.cleaned_data["people"]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The participants were recorded."))
                return redirect("vendor-workshops")
        status = 400
    else:
        form = ParticipantsForm(
            initial={"people": [person.pk for person in workshop.attendees.all()]}, choices=choices
        )
        status = 200
    return render(
        request, "bookings/workshop_participants.html", {"workshop": workshop, "form": form}, status=status
    )


@role_required(*BOOKING_STAFF)
def vendor_onsite(request):
    visits = list(selectors.onsite_list_for(person=request.user).order_by("status", "starts_on")[:200])
    _row_forms(visits, quote=OnsiteQuoteForm, confirm=EngineerForm, complete=ReportForm)
    return render(request, "bookings/onsite_vendor.html", {"visits": visits})


@require_POST
@role_required(*BOOKING_STAFF)
def vendor_onsite_action(request, pk, action):
    visit = selectors.onsite_get_for(person=request.user, pk=pk)
    forms = {"quote": OnsiteQuoteForm, "confirm": EngineerForm, "complete": ReportForm}
    if visit is None or action not in forms:
        raise Http404

    def act(data):
        if action == "quote":
            services.onsite_quote(actor=request.user, visit=visit, **data)
            return _("The quote was sent to the institution.")
        if action == "confirm":
            services.onsite_confirm(actor=request.user, visit=visit, engineer=data["engineer"])
            return _("The on-site days were confirmed.")
        services.onsite_complete(actor=request.user, visit=visit, report=data["report"])
        return _("The on-site days were completed.")

    return _row_action(request, visit, forms, "vendor-onsite", act)


@role_required(*BOOKING_STAFF)
def vendor_onboarding(request):
    form = OnboardingRecordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.onboarding_record(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The purchase was recorded and its onboarding item created."))
                return redirect("vendor-onboarding")
        status = 400
    items = list(
        selectors.onboarding_list_for(person=request.user).order_by("status", "starts_at", "-purchased_on")[
            :200
        ]
    )
    _row_forms(
        [i for i in items if i.status != OnboardingItem.Status.COMPLETED],
        schedule=OnboardingScheduleForm,
        complete=NoteForm,
    )
    return render(request, "bookings/onboarding_vendor.html", {"form": form, "items": items}, status=status)


@require_POST
@role_required(*BOOKING_STAFF)
def vendor_onboarding_action(request, pk, action):
    item = selectors.onboarding_get_for(person=request.user, pk=pk)
    forms = {"schedule": OnboardingScheduleForm, "complete": NoteForm}
    if item is None or action not in forms:
        raise Http404

    def act(data):
        if action == "schedule":
            services.onboarding_schedule(actor=request.user, item=item, **data)
            return _("The onboarding item was scheduled.")
        services.onboarding_complete(actor=request.user, item=item, note=data["note"])
        return _("The onboarding item was completed.")

    return _row_action(request, item, forms, "vendor-onboarding", act)


@role_required(*VENDOR_SIDE)
def vendor_calendar(request):
    try:
        day = datetime.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    monday = day - datetime.timedelta(days=day.weekday())
    week = selectors.calendar_week_all_institutions(monday=monday)
    context = {
        **week,
        "monday": monday,
        "previous": monday - datetime.timedelta(days=7),
        "next": monday + datetime.timedelta(days=7),
    }
    return render(request, "bookings/calendar.html", context)
