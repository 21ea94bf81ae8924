from django.urls import path

from .views import NotificationPreferencesView, PushSubscriptionsView

urlpatterns = [
    path("me/notifications/", NotificationPreferencesView.as_view(), name="api-me-notifications"),
    path("me/push-subscriptions/", PushSubscriptionsView.as_view(), name="api-me-push-subscriptions"),
]
