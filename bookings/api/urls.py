from django.urls import path
from rest_framework.routers import SimpleRouter

from .calendar import VendorCalendarView
from .contact import ContactRequestListView
from .views import OnboardingViewSet, OnsiteRequestViewSet, WorkshopViewSet

router = SimpleRouter()
router.register("workshops", WorkshopViewSet, basename="api-workshop")
router.register("onsite-requests", OnsiteRequestViewSet, basename="api-onsite-request")
router.register("onboarding", OnboardingViewSet, basename="api-onboarding")

urlpatterns = [
    path(
        "tickets/<str:pk>/contact-requests/",
        ContactRequestListView.as_view(),
        name="api-ticket-contact-requests",
    ),
    path("vendor/calendar/", VendorCalendarView.as_view(), name="api-vendor-calendar"),
    *router.urls,
]
