from django.contrib import admin

from .models import InboundMessage, Notification, PushMessage, PushSubscription


class _ShownAndDeletableAdmin(admin.ModelAdmin):
    """Rows the services write: shown and deletable here, never added or changed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(_ShownAndDeletableAdmin):
    """Read-only: what was sent to whom; each e-mail's attempts and last error are on its row of the
    outbox (core)."""

    list_display = ("id", "kind", "status", "to_address", "ticket_id", "created_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("to_address",)
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(InboundMessage)
class InboundMessageAdmin(_ShownAndDeletableAdmin):
    """Read-only: every e-mail received and what became of it."""

    list_display = ("received_at", "from_address", "subject", "source", "outcome", "reason", "ticket_id")
    list_filter = ("outcome", "source", "reason")
    search_fields = ("from_address", "subject", "message_id")


@admin.register(PushMessage)
class PushMessageAdmin(_ShownAndDeletableAdmin):
    """Read-only: what was pushed to whom, and what failed."""

    list_display = ("id", "kind", "status", "recipient_id", "cause", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in PushMessage._meta.fields]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(_ShownAndDeletableAdmin):
    """The devices people receive pushes on; deleting one stops its pushes."""

    list_display = ("id", "person_id", "platform", "user_agent", "created_at", "last_pushed_at")
    list_filter = ("platform",)
    readonly_fields = [f.name for f in PushSubscription._meta.fields]
