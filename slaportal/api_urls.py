"""Every route of the REST API v1; each app contributes its own list."""

from django.urls import include, path

urlpatterns = [
    path("", include("packages.api.urls")),
    path("", include("organizations.api.urls")),
    path("", include("tickets.api.urls")),
]
