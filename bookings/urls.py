from django.urls import path

from . import desk, views

urlpatterns = [
    path("workshops/", views.workshop_list, name="workshop-list"),
    path("workshops/<int:pk>/cancel/", views.workshop_cancel, name="workshop-cancel"),
    path("onsite/", views.onsite_list, name="onsite-list"),
    path("onsite/<int:pk>/quote.pdf", views.onsite_quote_pdf, name="onsite-quote-pdf"),
    path("onsite/<int:pk>/<slug:answer>/", views.onsite_answer, name="onsite-answer"),
    path("onboarding/", views.onboarding_list, name="onboarding-list"),
    path("vendor/workshops/", views.vendor_workshops, name="vendor-workshops"),
    path(
        "vendor/workshops/<int:pk>/participants/",
        views.vendor_workshop_participants,
        name="vendor-workshop-participants",
    ),
    path(
        "vendor/workshops/<int:pk>/<slug:action>/",
        views.vendor_workshop_action,
        name="vendor-workshop-action",
    ),
    path("vendor/onsite/", views.vendor_onsite, name="vendor-onsite"),
    path("vendor/onsite/<int:pk>/<slug:action>/", views.vendor_onsite_action, name="vendor-onsite-action"),
    path("vendor/onboarding/", views.vendor_onboarding, name="vendor-onboarding"),
    path(
        "vendor/onboarding/<int:pk>/<slug:action>/",
        views.vendor_onboarding_action,
        name="vendor-onboarding-action",
    ),
    path("vendor/calendar/", views.vendor_calendar, name="vendor-calendar"),
    path("tickets/<int:pk>/contact-request/new/", desk.ticket_contact_request, name="ticket-contact-request"),
    path("desk/tickets/<int:pk>/deadline/", desk.ticket_deadline, name="ticket-deadline"),
    path("desk/duty/", desk.desk_duty, name="desk-duty"),
    path("desk/tickets/new/", desk.desk_ticket_new, name="desk-ticket-new"),
]
