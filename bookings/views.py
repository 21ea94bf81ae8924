"""Pages of the bookings: the institution admin requests and follows workshops, on-site days and
onboarding; vendor staff schedule them and see the week's calendar. Every booking is reached
through the bookings selectors with the person, so another institution's id is a 404."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.decorators import role_required
from organizations.roles import VENDOR_SIDE, Role
from packages.errors import QuotaError
from packages.models import Channel
from packages.selectors import allotment_get, subscription_get_active

from . import selectors, services
from .documents import quote_pdf
from .errors import OnsiteDaysShort
from .forms import (
    EngineerForm,
    HeldForm,
    OnboardingCompleteForm,
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
    form_errors,
    form_submit,
)
from .machine import EITHER, INSTITUTION, VENDOR, machine_for
from .models import Workshop
from .permissions import BOOKING_ROLES, is_vendor_staff, workshop_lock

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
        requested = form.is_valid() and form_submit(
            form,
            lambda: services.workshop_request(
                actor=request.user,
                topic=form.cleaned_data["topic"],
                product=form.cleaned_data["product"],
                preferred_dates=form.preferred_dates(),
                participants=form.cleaned_data["participants"],
            ),
        )
        if requested:
            messages.success(
                request, _("Your workshop request was sent. You will get an e-mail when it is scheduled.")
            )
            return redirect("workshop-list")
        status = 400
    return _admin_list(
        request, "workshop", form=form, status=status, channel=Channel.WORKSHOPS, now=timezone.now()
    )


@role_required(Role.INSTITUTION_ADMIN)
def onsite_list(request):
    form = OnsiteRequestForm(request.POST or None)
    status = 200
    short = {}

    def request_days():
        data = form.cleaned_data
        # After a refusal naming the days left, the admin chose: only those, or all with a quote
        # for the rest.
        choice = request.POST.get("choice", "")
        dates = form.dates()
        if choice == "within":
            dates = dates[: int(request.POST.get("remaining") or 0) or len(dates)]
        try:
            return services.onsite_request(
                actor=request.user,
                dates=dates,
                address=data["address"],
                purpose=data["purpose"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                quote_extra=choice == "quote_extra",
            )
        except OnsiteDaysShort as error:
            short.update(remaining=error.remaining, extra=error.requested - error.remaining)
            raise
        except ValidationError as error:
            if "dates" not in getattr(error, "message_dict", {}):
                raise
            # The dates are asked for from the first day on: show the message there too.
            raise ValidationError({**error.message_dict, "first_day": error.message_dict["dates"]}) from error

    if request.method == "POST":
        if form.is_valid() and form_submit(form, request_days):
            messages.success(request, _("Your on-site request was sent."))
            return redirect("onsite-list")
        status = 400
    return _admin_list(
        request,
        "onsite",
        form=form,
        status=status,
        channel=Channel.ONSITE_DAYS,
        short=short or None,
        today=timezone.localdate(),
    )


def _admin_list(request, kind: str, *, form, status: int, channel: str, **extra):
    """The institution admin's page of one kind: the request form, the allotment it draws on and
    the institution's bookings with the actions each allows."""
    rows = list(LISTS[kind](person=request.user))
    _row_actions(rows, kind, vendor=False)
    context = {
        "form": form,
        ROWS_NAME[kind]: rows,
        "allotment": _allotment(request.user.institution, channel),
        **extra,
    }
    return render(request, f"bookings/{kind}_list.html", context, status=status)


LISTS = {"workshop": selectors.workshop_list_for, "onsite": selectors.onsite_list_for}
ROWS_NAME = {"workshop": "workshops", "onsite": "visits"}


# --- actions of the booking machine, for both sides --------------------------------------------

# Per kind and action: the form, the summary that opens it ("" for a form shown as it is), its
# button and what the page says when it is done. Which of them a row offers is its table's.
ACTIONS = {
    "workshop": {
        "schedule": (
            WorkshopScheduleForm,
            gettext_lazy("Schedule"),
            gettext_lazy("Schedule and draw one unit"),
            gettext_lazy("The workshop was scheduled and one unit drawn."),
        ),
        "decline": (
            ReasonForm,
            gettext_lazy("Decline"),
            gettext_lazy("Decline the request"),
            gettext_lazy("The request was declined."),
        ),
        "held": (HeldForm, "", gettext_lazy("Mark held"), gettext_lazy("The workshop was marked held.")),
        "cancel": (
            OptionalReasonForm,
            "",
            gettext_lazy("Cancel"),
            gettext_lazy("The workshop was cancelled."),
        ),
    },
    "onsite": {
        "quote": (
            OnsiteQuoteForm,
            "",
            gettext_lazy("Send the quote"),
            gettext_lazy("The quote was sent to the institution."),
        ),
        "confirm": (
            EngineerForm,
            "",
            gettext_lazy("Confirm"),
            gettext_lazy("The on-site days were confirmed."),
        ),
        "complete": (
            ReportForm,
            "",
            gettext_lazy("Record completion"),
            gettext_lazy("The on-site days were completed."),
        ),
        "accept": (
            None,
            "",
            gettext_lazy("Accept the quote"),
            gettext_lazy("Quote accepted; we will confirm the engineer."),
        ),
        "decline": (None, "", gettext_lazy("Decline the quote"), gettext_lazy("Quote declined.")),
        "cancel": (
            OptionalReasonForm,
            gettext_lazy("Cancel"),
            gettext_lazy("Cancel the on-site days"),
            gettext_lazy("The on-site days were cancelled."),
        ),
    },
    "onboarding": {
        "schedule": (
            OnboardingScheduleForm,
            gettext_lazy("Schedule"),
            gettext_lazy("Schedule"),
            gettext_lazy("The onboarding item was scheduled."),
        ),
        "complete": (
            OnboardingCompleteForm,
            gettext_lazy("Complete"),
            gettext_lazy("Mark completed"),
            gettext_lazy("The onboarding item was completed."),
        ),
    },
}
# What a cancellation that gave units back says instead.
RETURNED = {
    "workshop": gettext_lazy("The workshop was cancelled and its unit given back."),
    "onsite": gettext_lazy("%(days)s on-site days were given back to your allotment."),
}
GETTERS = {
    "workshop": selectors.workshop_get_for,
    "onsite": selectors.onsite_get_for,
    "onboarding": selectors.onboarding_get_for,
}
PAGES = {
    ("workshop", False): "workshop-list",
    ("workshop", True): "vendor-workshops",
    ("onsite", False): "onsite-list",
    ("onsite", True): "vendor-onsite",
    ("onboarding", True): "vendor-onboarding",
}


def _sides(vendor: bool) -> tuple[str, ...]:
    return (VENDOR, EITHER) if vendor else (INSTITUTION, EITHER)


def _row_actions(rows, kind: str, *, vendor: bool, now=None) -> None:
    """Each row's actions its table allows the page's side from its status, with their forms
    (ids of their own, a prefix per row, so the page's labels stay unique), and its history."""
    people = list(selectors.vendor_person_list()) if vendor else []
    history = selectors.booking_history(bookings=rows)
    for row in rows:
        machine = machine_for(row)
        row.history = history.get(row.pk, [])
        row.actions = []
        for action, (form_class, summary, button, _done) in ACTIONS[kind].items():
            if action not in machine.table or machine.side(action) not in _sides(vendor):
                continue
            if not machine.allows(row.status, action):
                continue
            if action == "held" and row.starts_at > (now or timezone.now()):
                continue
            form = None
            if form_class is not None:
                kwargs = {"people": people} if issubclass(form_class, PeopleForm) else {}
                form = form_class(prefix=f"b{row.pk}", **kwargs)
            row.actions.append(
                {
                    "name": action,
                    "url": reverse(f"{'vendor-' if vendor else ''}{kind}-action", args=[row.pk, action]),
                    "form": form,
                    "summary": summary,
                    "button": button,
                }
            )
        row.action_names = [entry["name"] for entry in row.actions]


@require_POST
@role_required(Role.INSTITUTION_ADMIN, *BOOKING_STAFF)
def booking_action(request, pk, action, kind, vendor=False):
    """Any action of a booking's table, from either side's page: the row's form validated, the
    engine run, the refusal or the success as the page's message."""
    booking = GETTERS[kind](person=request.user, pk=pk)
    if booking is None or action not in ACTIONS[kind]:
        raise Http404
    machine = machine_for(booking)
    if action not in machine.table or machine.side(action) not in _sides(vendor):
        raise Http404
    form_class, _summary, _button, done = ACTIONS[kind][action]
    page = PAGES[(kind, is_vendor_staff(request.user))]
    data = {}
    if form_class is not None:
        kwargs = (
            {"people": list(selectors.vendor_person_list())} if issubclass(form_class, PeopleForm) else {}
        )
        form = form_class(request.POST, prefix=f"b{booking.pk}", **kwargs)
        if not form.is_valid():
            # The institution's cancel buttons post without a prefix.
            form = form_class(request.POST, **kwargs)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return redirect(page)
        data = form.cleaned_data
    try:
        booking = services.booking_act(actor=request.user, booking=booking, action=action, **data)
    except (QuotaError, ValidationError) as error:
        _refusal(request, error)
    else:
        if action == "cancel" and booking.units_returned:
            done = RETURNED[kind] % {"days": booking.units_returned}
        messages.success(request, str(done))
    return redirect(page)


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


@role_required(*BOOKING_STAFF)
def vendor_workshops(request):
    workshops = list(
        selectors.workshop_list_for(person=request.user).order_by("status", "starts_at", "-created_at")[:200]
    )
    _row_actions(workshops, "workshop", vendor=True)
    return render(request, "bookings/workshop_vendor.html", {"workshops": workshops})


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
        recorded = form.is_valid() and form_submit(
            form,
            lambda: services.workshop_participants_record(
                actor=request.user, workshop=workshop, people=form.cleaned_data["people"]
            ),
        )
        if recorded:
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
    _row_actions(visits, "onsite", vendor=True)
    return render(request, "bookings/onsite_vendor.html", {"visits": visits})


@role_required(*BOOKING_STAFF)
def vendor_onboarding(request):
    form = OnboardingRecordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and form_submit(
            form, lambda: services.onboarding_record(actor=request.user, **form.cleaned_data)
        ):
            messages.success(request, _("The purchase was recorded and its onboarding item created."))
            return redirect("vendor-onboarding")
        status = 400
    items = list(
        selectors.onboarding_list_for(person=request.user).order_by("status", "starts_at", "-purchased_on")[
            :200
        ]
    )
    _row_actions(items, "onboarding", vendor=True)
    return render(request, "bookings/onboarding_vendor.html", {"form": form, "items": items}, status=status)


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
