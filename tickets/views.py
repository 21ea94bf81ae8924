import datetime
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from organizations.decorators import role_required
from organizations.forms import form_errors_add
from organizations.permissions import is_desk, keeps_desk_macros
from organizations.roles import CUSTOMER_SIDE, DESK_ROLES, Role
from organizations.selectors import (
    person_list_desk,
    person_list_for_institution,
    region_list,
    unit_list,
)
from packages.errors import NoActiveSubscription, QuotaError, QuotaExhausted
from packages.models import Channel
from packages.permissions import region_management_lock
from packages.selectors import (
    allotment_get,
    allotment_list,
    package_choices,
    subscription_get_active,
    subscription_in_force,
    ticket_units_held,
)

from . import presence, selectors, services
from .development import development_item_get_all_institutions
from .forecast.services import forecast_at_risk
from .forms import (
    AssignForm,
    ContactForm,
    DevelopmentForm,
    EscalateForm,
    MacroForm,
    NoteForm,
    QueueFilterForm,
    ReplyForm,
    ShareForm,
    StatusForm,
    TicketForm,
)
from .macros import macro_render
from .models import Ticket, TicketEvent

QUEUE_LIMIT = 50
# The board's forecast: tickets forecast to breach within this many minutes.
FORECAST_WITHIN_MINUTES = 60
COUNT_CAP = 1000


def refresh_seconds() -> int:
    # The desk pages poll for changes; 15 s keeps the queue current without loading the server.
    # Read per request, so a test can shorten it.
    return getattr(settings, "DESK_REFRESH_SECONDS", 15)


def filing_blocker(person) -> str | None:
    """Why the person cannot file a ticket right now (no contract, written quota used up), said
    before they type anything; None when filing is open."""
    try:
        subscription = subscription_in_force(institution=person.institution)
    except NoActiveSubscription as error:
        return error.message()
    written = allotment_get(subscription=subscription, channel=Channel.WRITTEN)
    if written is not None and written.is_included and not written.is_unlimited and written.remaining == 0:
        return QuotaExhausted(
            channel=Channel.WRITTEN, allotment=written.allotment, renews_on=subscription.renews_on
        ).message()
    return None


TICKET_PAGE = 25


def _ticket_page(tickets, number):
    """A page of the person's tickets. The first page is read one row long: when that row is not
    there, every ticket is on the page and counting them is one statement saved."""
    paginator = Paginator(tickets, TICKET_PAGE)
    if number not in (None, "", "1"):
        return paginator.get_page(number)
    head = list(tickets[: TICKET_PAGE + 1])
    if len(head) <= TICKET_PAGE:
        paginator.count = len(head)
    page = paginator.page(1)
    page.object_list = head[:TICKET_PAGE]
    return page


@role_required(*CUSTOMER_SIDE)
def ticket_list(request):
    tickets = selectors.ticket_list_for_requester_side(person=request.user)
    page = _ticket_page(tickets, request.GET.get("page"))
    return render(
        request,
        "tickets/ticket_list.html",
        {"page": page, "tickets": page.object_list, "show_requester": request.user.role != Role.CUSTOMER},
    )


@role_required(*CUSTOMER_SIDE)
def ticket_new(request):
    if request.user.institution_id is None:
        raise PermissionDenied(_("Only people of a customer institution can file tickets."))
    products = selectors.product_list()
    blocker = filing_blocker(request.user)
    # The offline outbox (static/js/offline.js) files through the API, which names products by code.
    product_codes = json.dumps({str(product.pk): product.code for product in products})
    if request.method != "POST":
        form = TicketForm(products=products)
        return render(
            request,
            "tickets/ticket_new.html",
            {"form": form, "blocker": blocker, "product_codes": product_codes},
        )
    form = TicketForm(request.POST, request.FILES, products=products)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_file(
                actor=request.user,
                subject=data["subject"],
                description=data["description"],
                kind=data["kind"],
                product=data["product"],
                attachments=data["attachments"],
                suggestions_shown=data["suggestions_shown"],
            )
        except (QuotaError, ValidationError) as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Ticket #%(number)s was filed.") % {"number": ticket.pk})
            return redirect("ticket-detail", pk=ticket.pk)
    return render(
        request,
        "tickets/ticket_new.html",
        {
            "form": form,
            "blocker": filing_blocker(request.user),
            "refused": True,
            "product_codes": product_codes,
        },
        status=400,
    )


def _get_ticket(request, pk) -> Ticket:
    ticket = selectors.ticket_get_visible(person=request.user, pk=pk)
    if ticket is None:
        raise Http404
    return ticket


def _development_item(ticket: Ticket):
    return ticket.development_item


def _can_reopen(user, ticket: Ticket) -> bool:
    if ticket.status != Ticket.Status.RESOLVED or ticket.resolved_at is None:
        return False
    return timezone.now() <= ticket.resolved_at + datetime.timedelta(days=settings.TICKET_REOPEN_DAYS)


def _share_form(ticket: Ticket, data=None) -> ShareForm:
    """The share form with targets of the ticket's institution only; the requester, who sees the
    ticket anyway, is not offered."""
    institution = ticket.institution
    return ShareForm(
        data,
        prefix="share",
        people=person_list_for_institution(institution=institution, active_only=True)
        .exclude(pk=ticket.requester_id)
        .order_by("first_name", "last_name", "username"),
        units=unit_list(institution=institution),
        regions=region_list(institution=institution),
    )


def _share_context(user, ticket: Ticket, form: ShareForm | None) -> dict:
    """The share panel, for those who may share the ticket: its shares with an undo button, and
    either the form or, on a package without region management, the feature shown as locked."""
    if not selectors.ticket_can_share(person=user, ticket=ticket):
        return {"can_share": False}
    lock = region_management_lock(ticket.institution)
    return {
        "can_share": True,
        "share_lock": lock,
        "shares": selectors.ticket_share_list(person=user, ticket=ticket),
        # The form lists every person, unit and region of the institution: it is loaded when the
        # panel is opened (ticket_sharing), and shown here only again with a refused share.
        "share_form": None if lock else form,
    }


# The channels the engineer logs on a ticket, with the form each is logged by.
CONTACT_CHANNELS = {"call": Channel.PHONE, "remote": Channel.REMOTE}
# The composer's modes that count on a channel: a public reply is written support.
COMPOSER_CHANNELS = {"reply": Channel.WRITTEN, **CONTACT_CHANNELS}


def contact_units(ticket: Ticket) -> dict[str, dict]:
    """What logging a call or a remote session on the ticket would draw, for the engineer before
    they log it: per form, whether the ticket already holds that channel's unit (so nothing more is
    drawn), and otherwise what is left of the institution's allotment."""
    subscription = subscription_get_active(institution=ticket.institution)
    allotments = {a.channel: a for a in allotment_list(subscription=subscription)} if subscription else {}
    held = ticket_units_held(institution=ticket.institution, ticket_id=ticket.pk)
    units = {}
    for action, channel in COMPOSER_CHANNELS.items():
        allotment = allotments.get(channel)
        unit = {
            "channel": channel,
            "label": Channel(channel).label,
            "renews_on": subscription.renews_on if subscription else None,
        }
        if channel in held:
            unit["state"] = "held"
        elif allotment is None or not allotment.is_included:
            unit["state"] = "none"
        elif allotment.is_unlimited:
            unit["state"] = "unlimited"
        else:
            unit.update(
                state="exhausted" if allotment.remaining == 0 else "limited",
                remaining=allotment.remaining,
                allotment=allotment.allotment,
            )
        units[action] = unit
    return units


def desk_quota_message(error: QuotaExhausted) -> str:
    """A used-up channel as the desk is told it on the ticket page: what it means for the ticket
    and what the engineer can do, not the customer's advice."""
    return _(
        "The institution's %(channel)s allotment (%(allotment)s this contract year) is used up until "
        "%(renews_on)s and this ticket holds no unit of it yet, so it cannot be logged. Answer in "
        "writing, or ask the package manager to extend the contract."
    ) % {
        "channel": Channel(error.channel).label,
        "allotment": error.allotment,
        "renews_on": date_format(error.renews_on, "DATE_FORMAT"),
    }


def _event_detail(event: TicketEvent, people: dict[int, str]) -> str:
    """What a history row changed, as the conversation shows it under the row's kind."""
    data = event.data or {}
    if event.kind == TicketEvent.Kind.STATUS_CHANGED and data.get("new") in Ticket.Status.values:
        old = Ticket.Status(data["old"]).label if data.get("old") in Ticket.Status.values else "—"
        return f"{old} → {Ticket.Status(data['new']).label}"
    if event.kind == TicketEvent.Kind.KIND_CHANGED and data.get("new") in Ticket.Kind.values:
        old = Ticket.Kind(data["old"]).label if data.get("old") in Ticket.Kind.values else "—"
        return f"{old} → {Ticket.Kind(data['new']).label}"
    if event.kind == TicketEvent.Kind.ASSIGNED:
        return people.get(data.get("new"), _("Nobody"))
    return ""


def ticket_timeline(user, ticket: Ticket, messages) -> list[dict]:
    """The ticket's conversation as one timeline: messages, calls, remote sessions, notes (for
    the desk) and the history rows between them (status changes, SLA moments, assignments), oldest
    first."""
    events = list(selectors.ticket_timeline_events(person=user, ticket=ticket))
    people = {}
    if any(event.kind == TicketEvent.Kind.ASSIGNED for event in events):
        people = {person.pk: person.get_full_name() or person.username for person in person_list_desk()}
    entries = [{"at": m.created_at, "order": 1, "message": m} for m in messages]
    entries += [
        {"at": e.created_at, "order": 0, "event": e, "detail": _event_detail(e, people)} for e in events
    ]
    return sorted(entries, key=lambda entry: (entry["at"], entry["order"]))


def _macro_choices(user, ticket: Ticket) -> list[dict]:
    """The desk member's macros, each with its text filled in for this ticket."""
    return [
        {"macro": macro, "text": macro_render(macro.body, ticket=ticket)}
        for macro in selectors.macro_list_for(person=user)
    ]


def _detail(request, ticket: Ticket, status: int = 200, stale=None, **forms):
    user = request.user
    desk = is_desk(user)
    development = _development_item(ticket)
    conversation = list(selectors.ticket_messages_visible_to(person=user, ticket=ticket))
    last_seen = conversation[-1].pk if conversation else 0
    context = {
        "ticket": ticket,
        "desk": desk,
        "conversation": conversation,
        "timeline": ticket_timeline(user, ticket, conversation),
        "last_seen": last_seen,
        "stale": stale,
        # Files sent with a reply are shown under that reply; these came with the ticket itself.
        "attachments": selectors.attachment_list_visible(person=user, ticket=ticket).filter(
            message__isnull=True
        ),
        "events": selectors.ticket_event_list(person=user, ticket=ticket) if desk else [],
        "development": development,
        "can_reply": ticket.status != Ticket.Status.CLOSED and (desk or user.is_customer_side),
        "can_reopen": user.is_customer_side and _can_reopen(user, ticket),
        "reply_form": forms.get("reply") or ReplyForm(prefix="reply", initial={"last_seen": last_seen}),
        **_share_context(user, ticket, forms.get("share")),
    }
    if desk:
        context.update(
            note_form=forms.get("note") or NoteForm(prefix="note"),
            call_form=forms.get("call") or ContactForm(prefix="call"),
            remote_form=forms.get("remote") or ContactForm(prefix="remote"),
            status_form=forms.get("status") or StatusForm(prefix="status", initial={"status": ticket.status}),
            assign_form=forms.get("assign")
            or AssignForm(
                prefix="assign", engineers=person_list_desk(), initial={"assignee": ticket.assignee_id}
            ),
            escalate_form=forms.get("escalate") or EscalateForm(prefix="escalate"),
            contact_units=contact_units(ticket),
            development_form=forms.get("development")
            or (DevelopmentForm.for_item(development, prefix="development") if development else None),
            macros=_macro_choices(user, ticket),
            next_ticket_id=selectors.ticket_queue_next_id(engineer=user, ticket=ticket),
            presence_seconds=presence.poll_seconds(),
            composer_mode=next((mode for mode in ("note", "call", "remote") if mode in forms), "reply"),
        )
    return render(request, "tickets/ticket_detail.html", context, status=status)


@login_required
def ticket_detail(request, pk):
    return _detail(request, _get_ticket(request, pk))


@login_required
def ticket_sharing(request, pk):
    """The share form of a ticket on its own: a page without the script, the form alone when the
    ticket page's share panel asks for it."""
    ticket = _get_ticket(request, pk)
    if not selectors.ticket_can_share(person=request.user, ticket=ticket):
        raise PermissionDenied(_("Only the requester or a manager above them can share this ticket."))
    lock = region_management_lock(ticket.institution)
    context = {"ticket": ticket, "share_lock": lock, "share_form": None if lock else _share_form(ticket)}
    if request.headers.get("X-Requested-With") == "fetch" and not lock:
        return render(request, "tickets/includes/share_form.html", context)
    return render(request, "tickets/ticket_sharing.html", context)


DESK_ACTIONS = {"note", "call", "remote", "status", "assign", "escalate", "development"}


def _action_form(request, ticket: Ticket, action: str):
    """The bound form of an action on the ticket, and the call that performs it and returns the
    message shown on success."""
    user, post = request.user, request.POST

    def reply(d):
        macro = selectors.macro_get_for(person=user, pk=d["macro"]) if d.get("macro") else None
        with transaction.atomic():
            services.ticket_reply(actor=user, ticket=ticket, body=d["body"], attachments=d["attachments"])
            if macro is not None:
                services.macro_apply(actor=user, ticket=ticket, macro=macro)
        return _("Your reply was sent.")

    def note(d):
        services.ticket_note(actor=user, ticket=ticket, body=d["body"])
        return _("The note was added.")

    def call(d):
        services.ticket_log_call(actor=user, ticket=ticket, **d)
        return _("The phone call was logged.")

    def remote(d):
        services.ticket_log_remote(actor=user, ticket=ticket, **d)
        return _("The remote session was logged.")

    def status(d):
        services.ticket_change_status(actor=user, ticket=ticket, status=d["status"])
        return _("The status was changed.")

    def assign(d):
        services.ticket_assign(actor=user, ticket=ticket, assignee=d["assignee"])
        return _("The ticket was reassigned.")

    def escalate(d):
        data = {name: value for name, value in d.items() if value not in (None, "")}
        if "item" in data:
            data["item"] = development_item_get_all_institutions(person=user, pk=data["item"])
            if data["item"] is None:
                raise ValidationError({"item": _("No such development item.")})
        services.ticket_escalate_to_development(actor=user, ticket=ticket, **data)
        return _("The ticket was forwarded to development.")

    def share(d):
        services.ticket_share(
            actor=user, ticket=ticket, **{name: value for name, value in d.items() if value}
        )
        return _("The ticket was shared.")

    def development(d):
        item = _development_item(ticket)
        if item is None:
            raise ValidationError(_("This ticket has no development item yet; escalate it first."))
        services.development_item_update(
            actor=user,
            item=item,
            **{name: value for name, value in d.items() if name == "planned_on" or value},
        )
        return _("The development item was updated.")

    actions = {
        "reply": (lambda: ReplyForm(post, request.FILES, prefix="reply"), reply),
        "note": (lambda: NoteForm(post, prefix="note"), note),
        "call": (lambda: ContactForm(post, prefix="call"), call),
        "remote": (lambda: ContactForm(post, prefix="remote"), remote),
        "status": (lambda: StatusForm(post, prefix="status"), status),
        "assign": (lambda: AssignForm(post, prefix="assign", engineers=person_list_desk()), assign),
        "escalate": (lambda: EscalateForm(post, prefix="escalate"), escalate),
        "development": (lambda: DevelopmentForm(post, prefix="development"), development),
        "share": (lambda: _share_form(ticket, post), share),
    }
    if action not in actions:
        raise Http404
    make_form, perform = actions[action]
    return make_form(), perform


@require_POST
@login_required
def ticket_action(request, pk, action):
    """Every change made from the ticket page. A refused change shows the page again with what
    was typed and the reason next to the form."""
    ticket = _get_ticket(request, pk)
    if action in DESK_ACTIONS and not is_desk(request.user):
        raise PermissionDenied(_("Only support engineers can do this."))
    if action == "share" and not selectors.ticket_can_share(person=request.user, ticket=ticket):
        raise PermissionDenied(_("Only the requester or a manager above them can share this ticket."))
    form, perform = _action_form(request, ticket, action)
    if form.is_valid() and action == "reply":
        stale = _crossed_messages(request.user, ticket, form.cleaned_data)
        if stale:
            return _detail(request, ticket, status=409, stale=stale, reply=_confirm_form(request, stale))
    if form.is_valid():
        try:
            done = perform(form.cleaned_data)
        except QuotaExhausted as error:
            if action in CONTACT_CHANNELS:
                form.add_error(None, desk_quota_message(error))
            else:
                form_errors_add(form, error)
        except (QuotaError, ValidationError) as error:
            form_errors_add(form, error)
        else:
            messages.success(request, done)
            return redirect("ticket-detail", pk=ticket.pk)
    return _detail(request, _get_ticket(request, pk), status=400, **{action: form})


def _crossed_messages(user, ticket: Ticket, data: dict) -> list:
    """The messages others added after the ones the reply's writer had seen, unless the writer
    already confirmed sending across them."""
    if data.get("confirmed") or data.get("last_seen") is None:
        return []
    return list(selectors.ticket_messages_newer(person=user, ticket=ticket, after_id=data["last_seen"]))


def _confirm_form(request, stale: list) -> ReplyForm:
    """The reply form again with what was typed, now marked as confirmed and as having seen the
    newest message, so sending it once more goes through."""
    data = request.POST.copy()
    data["reply-confirmed"] = "on"
    data["reply-last_seen"] = str(stale[-1].pk)
    form = ReplyForm(data, prefix="reply")
    form.is_valid()
    return form


@require_http_methods(["GET", "POST"])
@login_required
def ticket_presence(request, pk):
    """Who else of the desk has the ticket open, for the ticket page's collision warning (polled by
    static/js/ticket.js). A POST also marks the caller: `typing` 1 or 0, `leave` 1 when the page
    closes. Answers {"others": [{"name", "typing"}], "last_message_id", "poll_seconds"}."""
    ticket = _get_ticket(request, pk)
    if not is_desk(request.user):
        raise PermissionDenied(_("Only support engineers can do this."))
    if request.method == "POST":
        if request.POST.get("leave") == "1":
            presence.presence_leave(ticket_id=ticket.pk, person=request.user)
        else:
            presence.presence_mark(
                ticket_id=ticket.pk, person=request.user, typing=request.POST.get("typing") == "1"
            )
    newest = selectors.ticket_messages_visible_to(person=request.user, ticket=ticket).last()
    return JsonResponse(
        {
            "others": presence.presence_others(ticket_id=ticket.pk, person=request.user),
            "last_message_id": newest.pk if newest else None,
            "poll_seconds": presence.poll_seconds(),
        }
    )


@role_required(*DESK_ROLES)
def macro_list(request):
    """The desk member's macros (the desk's shared ones and their own) and a form to keep another."""
    user = request.user
    can_share = keeps_desk_macros(user)
    form = MacroForm(request.POST or None, can_share=can_share)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.macro_create(
                    actor=user,
                    name=data["name"],
                    body=data["body"],
                    personal=not data.get("shared"),
                    status=data["status"],
                    kind=data["kind"],
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(request, _("The macro was saved."))
                return redirect("macro-list")
        status = 400
    return render(
        request,
        "tickets/macro_list.html",
        {"macros": selectors.macro_list_for(person=user), "form": form, "can_share": can_share},
        status=status,
    )


@require_POST
@role_required(*DESK_ROLES)
def macro_delete(request, pk):
    macro = selectors.macro_get_for(person=request.user, pk=pk)
    if macro is None:
        raise Http404
    services.macro_delete(actor=request.user, macro=macro)
    messages.success(request, _("The macro was removed."))
    return redirect("macro-list")


@require_POST
@role_required(*CUSTOMER_SIDE)
def ticket_unshare(request, pk, share_pk):
    """Undo one share of the ticket; allowed on every package, so access can always be taken back."""
    ticket = _get_ticket(request, pk)
    share = selectors.ticket_share_get(person=request.user, ticket=ticket, pk=share_pk)
    if share is None:
        raise Http404
    services.ticket_unshare(actor=request.user, share=share)
    messages.success(request, _("The sharing was undone."))
    return redirect("ticket-detail", pk=ticket.pk)


@require_POST
@role_required(*CUSTOMER_SIDE)
def ticket_reopen(request, pk):
    ticket = _get_ticket(request, pk)
    try:
        services.ticket_reopen(actor=request.user, ticket=ticket)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The ticket was reopened."))
    return redirect("ticket-detail", pk=ticket.pk)


@login_required
def attachment_download(request, pk):
    attachment = selectors.attachment_get_visible(person=request.user, pk=pk)
    if attachment is None:
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


def _detail_urls(rows: list) -> list:
    """Give each row the address of its ticket: one reverse() per page rather than per row."""
    marker = 987654321987654321
    pattern = reverse("ticket-detail", args=[marker]).replace(str(marker), "{}")
    for row in rows:
        row.url = pattern.format(row.pk)
    return rows


def _queue_context(request):
    form = QueueFilterForm(
        request.GET or None, packages=package_choices(), products=selectors.product_choices()
    )
    queue = selectors.ticket_queue_all_institutions(engineer=request.user, **form.filters())
    return {
        "filter_form": form,
        # Counting stops past COUNT_CAP: an exact figure over hundreds of thousands of open tickets
        # costs a scan of them on every refresh and tells the desk nothing more than "over 1,000".
        "count": queue[: COUNT_CAP + 1].count(),
        "count_cap": COUNT_CAP,
        "tickets": _detail_urls(selectors.desk_rows(queue[:QUEUE_LIMIT])),
        "limit": QUEUE_LIMIT,
        "now": timezone.now(),
        "partial_url": reverse("ticket-queue-partial"),
        "refresh_seconds": refresh_seconds(),
    }


@role_required(*DESK_ROLES)
def ticket_queue(request):
    return render(request, "tickets/queue.html", _queue_context(request))


@role_required(*DESK_ROLES)
def ticket_queue_partial(request):
    return render(request, "tickets/includes/queue_rows.html", _queue_context(request))


class _CountedPaginator(Paginator):
    """A paginator told the count it would otherwise ask the database for again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count


def _board_context(request):
    now = timezone.now()
    counts = selectors.ticket_board_counts(lead=request.user, now=now)
    board = selectors.ticket_board_all_institutions(lead=request.user, now=now)
    page = _CountedPaginator(board, QUEUE_LIMIT, count=counts["total"]).get_page(request.GET.get("page"))
    partial_url = reverse("desk-board-partial")
    start = (page.number - 1) * QUEUE_LIMIT
    return {
        "page": page,
        "tickets": _detail_urls(
            selectors.ticket_board_page(board=board, start=start, stop=start + QUEUE_LIMIT)
        ),
        "count": counts["total"],
        "breached_count": counts["breached"],
        "warning_count": counts["warning"],
        # The refresh keeps the page the lead is reading.
        "partial_url": f"{partial_url}?page={page.number}" if page.number > 1 else partial_url,
        "refresh_seconds": refresh_seconds(),
        # The breach forecast first: what will breach within the hour while it can still be saved.
        "forecast": forecast_at_risk(within=FORECAST_WITHIN_MINUTES, now=now),
        "forecast_within": FORECAST_WITHIN_MINUTES,
    }


@role_required(Role.DESK_LEAD)
def desk_board(request):
    return render(request, "tickets/board.html", _board_context(request))


@role_required(Role.DESK_LEAD)
def desk_board_partial(request):
    return render(request, "tickets/includes/board_rows.html", _board_context(request))
