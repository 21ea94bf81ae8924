"""HTML to PDF for every app's downloads and attachments (WeasyPrint). The templates name the
DejaVu fonts, which the system provides and which carry every Turkish letter; the text is in the
language active when the template is rendered (the request's, or the one given)."""

from django.template.loader import render_to_string
from django.utils import translation


def html_pdf(html: str, *, compressed: bool = True) -> bytes:
    """`compressed=False` leaves the page streams readable, for tests that look for a text."""
    import weasyprint  # imported on use: loading it costs a moment the other pages need not pay

    return weasyprint.HTML(string=html).write_pdf(uncompressed_pdf=not compressed)


def template_pdf(
    template_name: str, context: dict, *, language: str | None = None, compressed: bool = True
) -> bytes:
    """The template rendered in `language` (by default the active one) as a PDF."""
    if language is None:
        return html_pdf(render_to_string(template_name, context), compressed=compressed)
    with translation.override(language):
        return html_pdf(render_to_string(template_name, context), compressed=compressed)
