from django.urls import path

from . import development_views, views

urlpatterns = [
    path("tickets/", views.ticket_list, name="ticket-list"),
    path("tickets/new/", views.ticket_new, name="ticket-new"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket-detail"),
    path("tickets/<int:pk>/sharing/", views.ticket_sharing, name="ticket-sharing"),
    path("tickets/<int:pk>/reopen/", views.ticket_reopen, name="ticket-reopen"),
    path("tickets/<int:pk>/shares/<int:share_pk>/undo/", views.ticket_unshare, name="ticket-unshare"),
    path("tickets/<int:pk>/presence/", views.ticket_presence, name="ticket-presence"),
    path("tickets/<int:pk>/<slug:action>/", views.ticket_action, name="ticket-action"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("desk/queue/", views.ticket_queue, name="ticket-queue"),
    path("desk/queue/rows/", views.ticket_queue_partial, name="ticket-queue-partial"),
    path("desk/board/", views.desk_board, name="desk-board"),
    path("desk/macros/", views.macro_list, name="macro-list"),
    path("desk/macros/<int:pk>/delete/", views.macro_delete, name="macro-delete"),
    path("development/", development_views.development_queue, name="development-queue"),
    path("development/<int:pk>/", development_views.development_item, name="development-item"),
    path("desk/board/rows/", views.desk_board_partial, name="desk-board-partial"),
]
