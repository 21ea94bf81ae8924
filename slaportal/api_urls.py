"""Every route of the REST API v1; each app contributes its own list."""

from django.urls import include, path, re_path

from slaportal.api.views import NotFoundView

urlpatterns = [
    path("", include("packages.api.urls")),
    path("", include("organizations.api.urls")),
    path("", include("tickets.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("learning.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("performance.api.urls")),
    path("", include("bookings.api.urls")),
    path("", include("portal.api.urls")),
    # Last: whatever else is asked under /api/v1/ gets the API's JSON 404.
    re_path(r"^.*$", NotFoundView.as_view()),
]
