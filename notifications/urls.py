from django.urls import path, re_path

from . import views, webhooks

urlpatterns = [
    path("account/notifications/", views.preferences, name="notification-preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe_view, name="notification-unsubscribe"),
    # Mailgun sends the raw MIME (body-mime) to a forward URL ending in "mime".
    re_path(
        r"^anymail/mailgun/inbound(_mime)?/$", webhooks.mailgun_inbound, name="notification-inbound-mailgun"
    ),
]
