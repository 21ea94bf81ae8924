"""Writes on tickets. Each service owns its transaction, records a history event for every change
and queues Celery work only after commit."""

from .conversation import (
    ticket_assign,
    ticket_change_status,
    ticket_log_call,
    ticket_log_remote,
    ticket_note,
    ticket_reopen,
    ticket_reply,
)
from .development import (
    development_item_create,
    development_item_merge,
    development_item_update,
    ticket_escalate_to_development,
)
from .filing import attachment_add, ticket_file
from .macros import macro_apply, macro_create, macro_delete, ticket_change_kind
from .routing import ticket_route
from .sharing import ticket_share, ticket_unshare
from .sla import ticket_deadline_correct

__all__ = [
    "attachment_add",
    "development_item_create",
    "development_item_merge",
    "development_item_update",
    "macro_apply",
    "macro_create",
    "macro_delete",
    "ticket_assign",
    "ticket_change_kind",
    "ticket_change_status",
    "ticket_deadline_correct",
    "ticket_escalate_to_development",
    "ticket_file",
    "ticket_log_call",
    "ticket_log_remote",
    "ticket_note",
    "ticket_reopen",
    "ticket_reply",
    "ticket_route",
    "ticket_share",
    "ticket_unshare",
]
