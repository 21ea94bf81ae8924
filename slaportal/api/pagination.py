"""Cursor pagination: stable under inserts (a mobile app paging through a busy queue never sees a
ticket twice or misses one), and no page count to compute."""

from rest_framework.pagination import CursorPagination


class _Cursor(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class TicketCursorPagination(_Cursor):
    ordering = ("-created_at", "-id")


class QueueCursorPagination(_Cursor):
    # The desk's order: contract priority, then first-response deadline, then age.
    ordering = ("priority", "first_response_due_at", "created_at", "id")


class PersonCursorPagination(_Cursor):
    ordering = ("username",)


class AuditCursorPagination(_Cursor):
    ordering = ("-created_at", "-id")
