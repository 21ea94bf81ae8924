"""The sharing and grant endpoints mounted where the API will mount them, for their tests."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include("tickets.api_sharing"))]
