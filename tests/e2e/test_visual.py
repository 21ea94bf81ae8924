"""Every role's main pages at 390 and 1280 px, in Chromium: nothing wider than the window, no
element drawn over another, every table cell labelled where the phone hides the headers
(tests/e2e/visual.py), and axe-core clean (open_page audits every page it loads)."""

import pytest
from django.urls import reverse

from organizations.models import User
from tests.e2e.conftest import log_in
from tests.e2e.visual import layout_problems
from tickets.services import ticket_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (390, 1280)
# The pages each role meets first: (login, page names; "ticket" is a ticket of premium-user1's). The
# first is where the login lands, so it is a page of its own, not a redirect.
ROLES = {
    "customer": (
        "premium-user1",
        ["home", "ticket-new", "ticket-list", "ticket", "learning-calendar", "notification-preferences"],
    ),
    "engineer": ("engineer1", ["ticket-queue", "home", "ticket", "development-queue"]),
    "desk_lead": ("lead", ["ticket-queue", "desk-board", "ticket", "vendor-report-page"]),
    "institution_admin": (
        "premium-admin",
        [
            "home",
            "ticket-list",
            "people",
            "org-tree",
            "monitoring",
            "audit-log",
            "usage-keys",
            "workshop-list",
            "onsite-list",
            "report-page",
            "performance",
        ],
    ),
    "vendor_staff": (
        "staff",
        ["package-catalogue", "home", "vendor-report-page", "audit-log", "vendor-workshops"],
    ),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_main_pages_fit_both_widths_without_overlap_and_with_labelled_cells(
    demo, open_page, live_server, role
):
    # given a ticket on the desk, so the queue and the ticket page have something to show
    customer = User.objects.get(username="premium-user1")
    ticket = ticket_file(
        actor=customer, subject="Parsel sorgusu boş sonuç döndürüyor", description="İmar katmanında."
    )
    username, names = ROLES[role]
    paths = [
        reverse("ticket-detail", args=[ticket.pk]) if name == "ticket" else reverse(name) for name in names
    ]
    problems = []
    for width in WIDTHS:
        page = log_in(open_page(width=width, height=900), live_server, username, paths[0])
        for path in paths:
            # when
            response = page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            # then
            assert response.status == 200, f"{path} as {username}: {response.status}"
            problems += [f"{path} at {width} px: {problem}" for problem in layout_problems(page)]
    assert problems == [], "\n".join(problems)
