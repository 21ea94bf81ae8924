from django.urls import path

from .views import NotificationPreferencesView

urlpatterns = [
    path("me/notifications/", NotificationPreferencesView.as_view(), name="api-me-notifications"),
]
