"""The quote of on-site days as a PDF, rendered from an HTML template by WeasyPrint (the fonts
come from the system: DejaVu and Liberation carry every Turkish letter)."""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OnsiteRequest


def quote_pdf(*, visit: OnsiteRequest, language: str, compressed: bool = True) -> bytes:
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(
            "bookings/onsite_quote_pdf.html", {"visit": visit, "today": timezone.localdate()}
        )
    return HTML(string=html).write_pdf(uncompressed_pdf=not compressed)
