"""The pages that bring every app together: the home page shows the institution's contract
(packages), its people (organizations) and its tickets (tickets) at once, so it lives above them."""

from django.shortcuts import redirect, render

from organizations.roles import Role
from organizations.selectors import seat_count
from packages.models import Channel
from packages.selectors import allotment_list, subscription_get_active, subscription_get_latest
from tickets.selectors import ticket_list_for_requester_side


def quota_rows(subscription) -> list[dict]:
    """Each channel of the contract as the home page shows it, as the seed table states it: a bar,
    unlimited, priced per day, or not included (✗). On-site days are the one channel sold by the
    day outside the contract (the quote request on /onsite/), so a contract without them shows
    them priced per day; any other channel it lacks is not included."""
    rows = []
    for allotment in allotment_list(subscription=subscription):
        row = {"channel": allotment.get_channel_display(), "code": allotment.channel, "used": allotment.used}
        if not allotment.is_included:
            row["state"] = "per_day" if allotment.channel == Channel.ONSITE_DAYS else "not_included"
        elif allotment.is_unlimited:
            row["state"] = "unlimited"
        else:
            total = allotment.allotment or 0
            remaining = allotment.remaining or 0
            percent = round(100 * remaining / total) if total else 0
            row.update(
                state="limited",
                allotment=total,
                remaining=remaining,
                percent=percent,
                level="empty" if remaining == 0 else "low" if percent <= 20 else "ok",
            )
        rows.append(row)
    return rows


def home(request):
    """Each role starts where its work is: the desk at the queue, vendor staff at the catalogue,
    developers at the development queue, the institution's people at their subscription and tickets."""
    if not request.user.is_authenticated:
        return redirect("login")
    user = request.user
    if user.works_desk:
        return redirect("ticket-queue")
    if user.role == Role.PACKAGE_MANAGER:
        return redirect("package-catalogue")
    if user.role == Role.DEVELOPER:
        return redirect("development-queue")
    if not user.is_customer_side or user.institution is None:
        return render(request, "portal/home_empty.html")
    institution = user.institution
    subscription = subscription_get_active(institution=institution)
    context = {
        "institution": institution,
        "subscription": subscription,
        "latest": None if subscription else subscription_get_latest(institution=institution),
        "quotas": quota_rows(subscription) if subscription else [],
        "seats": seat_count(institution=institution),
        "tickets": ticket_list_for_requester_side(person=user)[:5],
        "is_admin": user.role == Role.INSTITUTION_ADMIN,
    }
    return render(request, "portal/home.html", context)
