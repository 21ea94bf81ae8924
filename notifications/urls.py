from django.urls import path

from . import views, webhooks

urlpatterns = [
    path("account/notifications/", views.preferences, name="notification-preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe_view, name="notification-unsubscribe"),
    path("anymail/mailgun/inbound/", webhooks.mailgun_inbound, name="notification-inbound-mailgun"),
]
