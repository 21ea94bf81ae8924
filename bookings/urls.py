from django.urls import path

from . import desk, views

urlpatterns = [
    path("workshops/", views.workshop_list, name="workshop-list"),
    path(
        "workshops/<int:pk>/cancel/",
        views.booking_action,
        {"kind": "workshop", "action": "cancel"},
        name="workshop-cancel",
    ),
    path(
        "workshops/<int:pk>/<slug:action>/",
        views.booking_action,
        {"kind": "workshop"},
        name="workshop-action",
    ),
    path("onsite/", views.onsite_list, name="onsite-list"),
    path("onsite/<int:pk>/quote.pdf", views.onsite_quote_pdf, name="onsite-quote-pdf"),
    path("onsite/<int:pk>/<slug:action>/", views.booking_action, {"kind": "onsite"}, name="onsite-action"),
    path("onboarding/", views.onboarding_list, name="onboarding-list"),
    path("vendor/workshops/", views.vendor_workshops, name="vendor-workshops"),
    path(
        "vendor/workshops/<int:pk>/participants/",
        views.vendor_workshop_participants,
        name="vendor-workshop-participants",
    ),
    path("vendor/onsite/", views.vendor_onsite, name="vendor-onsite"),
    path("vendor/onboarding/", views.vendor_onboarding, name="vendor-onboarding"),
    # The vendor's side of each kind's actions: vendor-workshop-action, vendor-onsite-action, …
    *(
        path(
            f"vendor/{segment}/<int:pk>/<slug:action>/",
            views.booking_action,
            {"kind": kind, "vendor": True},
            name=f"vendor-{kind}-action",
        )
        for segment, kind in (("workshops", "workshop"), ("onsite", "onsite"), ("onboarding", "onboarding"))
    ),
    path("vendor/calendar/", views.vendor_calendar, name="vendor-calendar"),
    path("tickets/<int:pk>/contact-request/new/", desk.ticket_contact_request, name="ticket-contact-request"),
    path("desk/tickets/<int:pk>/deadline/", desk.ticket_deadline, name="ticket-deadline"),
    path("desk/duty/", desk.desk_duty, name="desk-duty"),
    path("desk/tickets/new/", desk.desk_ticket_new, name="desk-ticket-new"),
]
