"""The destruction records (imha tutanağı) as read and as PDF."""

from portal.models import DestructionRecord
from slaportal.pdf import template_pdf

from .retention import METHODS


def destruction_record_get(*, pk: int) -> DestructionRecord | None:
    # Destruction runs over every institution's data at once; the record belongs to the vendor.
    return DestructionRecord.objects.filter(pk=pk).prefetch_related("lines").select_related("run_by").first()


def destruction_record_list(*, limit: int):
    # Across institutions by nature: one run destroys every institution's data past its rule.
    return (
        DestructionRecord.objects.prefetch_related("lines")
        .select_related("run_by")
        .order_by("-started_at", "-id")[:limit]
    )


def destruction_record_pdf(*, record: DestructionRecord, language: str, compressed: bool = True) -> bytes:
    lines = [{"line": line, "method": METHODS.get(line.category, "")} for line in record.lines.all()]
    return template_pdf(
        "portal/destruction_record_pdf.html",
        {"record": record, "lines": lines, "total": sum(line.destroyed for line in record.lines.all())},
        language=language,
        compressed=compressed,
    )
