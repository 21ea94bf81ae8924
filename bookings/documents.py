"""The quote of on-site days as a PDF, through the shared HTML-to-PDF path (slaportal.pdf)."""

from django.utils import timezone

from slaportal.pdf import template_pdf

from .models import OnsiteRequest


def quote_pdf(*, visit: OnsiteRequest, language: str, compressed: bool = True) -> bytes:
    return template_pdf(
        "bookings/onsite_quote_pdf.html",
        {"visit": visit, "today": timezone.localdate()},
        language=language,
        compressed=compressed,
    )
