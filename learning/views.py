"""The learning pages: the training calendar, a session, its .ics file and recording, the person's
private feed, attendance for vendor staff, and the library with its downloads."""

import calendar
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from organizations.decorators import role_required
from organizations.permissions import is_desk
from organizations.roles import Role
from packages.errors import NoActiveSubscription
from tickets.selectors import ticket_get_visible

from . import articles, ranking, selectors, services
from .access import library_access, training_access
from .errors import TrainingError
from .forms import ArticleForm, AttendanceForm, AttendanceImportForm, LibraryFilterForm, TrainingFilterForm
from .ical import calendar_bytes
from .models import Training
from .streaming import file_response, is_first_request, recording_response


def _month(value: str | None) -> datetime.date:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@login_required
def training_calendar(request):
    """Month and list views of the sessions, the person's registrations marked."""
    access = training_access(person=request.user)
    form = TrainingFilterForm(request.GET or None, products=selectors.product_list_in_use())
    product_id = form.cleaned_data["product"].pk if form.is_valid() and form.cleaned_data["product"] else None
    view = "list" if request.GET.get("view") == "list" else "month"
    feed = selectors.feed_get(person=request.user) if access.can_register else None
    context = {
        "form": form,
        "view": view,
        "access": access,
        "product_id": product_id,
        "feed_url": request.build_absolute_uri(reverse("learning-feed", args=[feed.token])) if feed else "",
    }
    if view == "month":
        first = _month(request.GET.get("month"))
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
        sessions = list(
            selectors.training_list_for(
                access=access,
                product_id=product_id,
                starts_from=_local_midnight(weeks[0][0]),
                starts_before=_local_midnight(weeks[-1][-1] + datetime.timedelta(days=1)),
            )
        )
        by_day: dict[datetime.date, list[Training]] = {}
        for session in sessions:
            by_day.setdefault(timezone.localtime(session.starts_at).date(), []).append(session)
        context |= {
            "month": first,
            "previous_month": (first - datetime.timedelta(days=1)).replace(day=1),
            "next_month": (first + datetime.timedelta(days=32)).replace(day=1),
            "weeks": [
                [
                    {"day": day, "in_month": day.month == first.month, "sessions": by_day.get(day, [])}
                    for day in week
                ]
                for week in weeks
            ],
            "weekdays": [WEEKDAYS_ABBR[i] for i in range(7)],
            "today": timezone.localdate(),
        }
    else:
        context |= {
            "upcoming": list(
                selectors.training_list_for(access=access, product_id=product_id, when="upcoming")
            ),
            "past": list(selectors.training_list_for(access=access, product_id=product_id, when="past")[:50]),
        }
    return render(request, "learning/training_calendar.html", context)


def _training_or_404(access, pk: int) -> Training:
    training = selectors.training_get_for(access=access, pk=pk)
    if training is None:
        raise Http404
    return training


@login_required
def training_detail(request, pk: int):
    access = training_access(person=request.user)
    training = _training_or_404(access, pk)
    now = timezone.now()
    context = {
        "training": training,
        "access": access,
        "now": now,
        "has_started": training.starts_at <= now,
        "has_ended": training.ends_at <= now,
        "is_full": training.capacity is not None and training.registered_count >= training.capacity,
        "places_left": None
        if training.capacity is None
        else max(training.capacity - training.registered_count, 0),
        "meeting_url": selectors.training_meeting_url_for(access=access, training=training),
        "waiting_position": selectors.waiting_position_for(training=training, person=request.user)
        if training.is_waiting
        else None,
    }
    return render(request, "learning/training_detail.html", context)


@require_POST
@login_required
def training_registration(request, pk: int):
    """Register (action=register) or give up the place (action=unregister)."""
    access = training_access(person=request.user)
    training = _training_or_404(access, pk)
    try:
        if request.POST.get("action") == "unregister":
            services.training_unregister(actor=request.user, training=training)
            messages.success(request, _("You are no longer registered for this session."))
        else:
            registration = services.training_register(actor=request.user, training=training)
            if registration.is_waiting:
                messages.success(
                    request,
                    _(
                        "The session is full, so you are on its waiting list (number %(position)s). When a place "
                        "frees, it is yours and we tell you by e-mail."
                    )
                    % {"position": selectors.waiting_position(registration=registration)},
                )
            else:
                messages.success(
                    request, _("You are registered. We will remind you by e-mail a day and an hour before.")
                )
    except (TrainingError, NoActiveSubscription) as exc:
        messages.error(request, exc.message())
    return redirect("learning-training", pk=training.pk)


@require_GET
@login_required
def training_ics(request, pk: int):
    access = training_access(person=request.user)
    training = _training_or_404(access, pk)
    response = HttpResponse(
        calendar_bytes([training], name=training.title), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="training-{training.pk}.ics"'
    return response


@require_GET
@login_required
def training_recording(request, pk: int):
    """The uploaded recording of a past session, streamed with Range support so the player seeks."""
    access = training_access(person=request.user)
    training = _training_or_404(access, pk)
    if not training.recording_file or training.ends_at > timezone.now() and not access.is_vendor:
        raise Http404
    return recording_response(request, training)


def training_feed(request, token: str):
    """The person's registered sessions as a calendar a calendar app subscribes to; the token in the
    address is the key, since calendar apps cannot log in."""
    feed = selectors.feed_get_by_token(token=token)
    if feed is None:
        raise Http404
    trainings = selectors.training_list_registered(person=feed.person)
    response = HttpResponse(
        calendar_bytes(trainings, name=_("My trainings")), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_POST
@login_required
def training_feed_reset(request):
    training_access(person=request.user)
    if request.user.is_vendor_staff:
        raise PermissionDenied(_("Only people of a customer institution have a training feed."))
    created = selectors.feed_get(person=request.user) is None
    if created:
        services.feed_get_or_create(actor=request.user)
        messages.success(request, _("Your calendar feed address is ready."))
    else:
        services.feed_reset(actor=request.user)
        messages.success(request, _("Your calendar feed has a new address; the old one no longer works."))
    return redirect("learning-calendar")


@role_required(Role.PACKAGE_MANAGER)
def training_attendance(request, pk: int):
    """Vendor staff tick who attended, or import the meeting tool's CSV of e-mail addresses."""
    training = selectors.training_get_all_institutions(pk=pk)
    if training is None:
        raise Http404
    registrations = list(selectors.registration_list_for_training_all_institutions(training=training))
    form = AttendanceForm(registrations=registrations)
    upload_form = AttendanceImportForm()
    if request.method == "POST":
        try:
            if "csv" in request.FILES:
                upload_form = AttendanceImportForm(request.POST, request.FILES)
                if upload_form.is_valid():
                    marked, unknown = services.training_attendance_import(
                        actor=request.user, training=training, upload=upload_form.cleaned_data["csv"]
                    )
                    messages.success(request, _("%(count)s people marked as attended.") % {"count": marked})
                    if unknown:
                        messages.warning(
                            request,
                            _("No person found for: %(addresses)s") % {"addresses": ", ".join(unknown)},
                        )
                    return redirect("learning-attendance", pk=training.pk)
            else:
                form = AttendanceForm(request.POST, registrations=registrations)
                if form.is_valid():
                    marked = services.training_attendance_record(
                        actor=request.user, training=training, person_ids=form.person_ids()
                    )
                    messages.success(request, _("%(count)s people marked as attended.") % {"count": marked})
                    return redirect("learning-attendance", pk=training.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "learning/training_attendance.html",
        {"training": training, "form": form, "upload_form": upload_form, "registrations": registrations},
    )


@login_required
def library_list(request):
    access = library_access(person=request.user)
    form = LibraryFilterForm(
        request.GET or None, products=selectors.product_list_in_use(), kinds=access.library_kinds
    )
    data = form.cleaned_data if form.is_valid() else {}
    items = list(
        selectors.library_item_list_for(
            access=access,
            search=data.get("q") or "",
            kind=data.get("kind") or "",
            product_id=data["product"].pk if data.get("product") else None,
        )[:100]
    )
    rows = [{"item": item, "files": selectors.library_file_versions(item=item)} for item in items]
    return render(request, "learning/library_list.html", {"form": form, "rows": rows})


@login_required
def library_article(request, pk: int):
    """A solution article: the question and its answer. The desk also sees drafts, edits them
    (each save a new version) and publishes them."""
    item = ranking.library_article_get_for(person=request.user, pk=pk)
    if item is None:
        raise Http404
    desk = is_desk(request.user)
    form = None
    if desk:
        initial = {"title": item.title, "question": item.description, "answer": item.answer}
        form = ArticleForm(request.POST or None, initial=initial)
        if request.method == "POST":
            if request.POST.get("action") == "publish":
                articles.article_publish(actor=request.user, item=item)
                messages.success(request, _("The article is published."))
                return redirect("learning-library-item", pk=item.pk)
            if form.is_valid():
                data = form.cleaned_data
                articles.article_update(
                    actor=request.user,
                    item=item,
                    title=data["title"],
                    question=data["question"],
                    answer=data["answer"],
                )
                messages.success(request, _("Saved as version %(version)s.") % {"version": item.version})
                return redirect("learning-library-item", pk=item.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "learning/library_article.html", {"item": item, "form": form, "desk": desk})


@require_POST
@login_required
def article_new(request):
    """Draft a solution article from a resolved ticket the desk sees, then review it on its page."""
    if not is_desk(request.user):
        raise PermissionDenied
    pk = request.POST.get("ticket", "")
    ticket = ticket_get_visible(person=request.user, pk=int(pk)) if pk.isdigit() else None
    if ticket is None:
        raise Http404
    try:
        item = articles.article_create_from_ticket(actor=request.user, ticket=ticket)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("ticket-detail", pk=ticket.pk)
    return redirect("learning-library-item", pk=item.pk)


def library_download_response(request, *, item_id: int):
    """Check the person, count the download and hand out the file (or redirect to the external
    link). Shared by the page and the API."""
    access = library_access(person=request.user)
    item = selectors.library_item_get_for(access=access, pk=item_id)
    if item is None:
        raise Http404
    file_id = request.GET.get("file")
    library_file = selectors.library_file_for_download(
        item=item, file_id=int(file_id) if file_id and file_id.isdigit() else None
    )
    if library_file is None:
        if item.external_url and not file_id:
            services.download_count(person=request.user, item=item)
            return redirect(item.external_url)
        raise Http404
    if is_first_request(request):
        services.download_count(person=request.user, item=item)
    return file_response(
        request,
        storage=library_file.file.storage if library_file.file else default_storage,
        name=library_file.file.name,
        size=library_file.size,
        content_type=library_file.content_type,
        filename=library_file.name,
        inline=library_file.content_type.startswith(("video/", "image/"))
        or library_file.content_type == "application/pdf",
    )


@require_GET
@login_required
def library_download(request, pk: int):
    return library_download_response(request, item_id=pk)
