"""Vendor staff reading one institution's own report: allowed read-only, and every read is written
to the audit log (the institution's admin sees who of the vendor read what)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.audit import audit_actions_register, audit_record, audited
from organizations.models import Institution, User
from organizations.permissions import vendor_report_reader

from ..periods import Period
from ..selectors import ReportScope, report_scope_institution

audit_actions_register({"report.vendor_read": gettext_lazy("Report read by vendor staff")})


@audited("report.vendor_read")
def report_scope_read_by_vendor(
    *, actor: User, institution: Institution, period: Period, what: str, record: bool = True
) -> ReportScope:
    """The institution's whole report scope for a package manager or desk lead, with one audit row
    naming the period and what was read (page, pdf, xlsx, summary); the charts a page fetches
    (record=False) are part of the page's read. PermissionDenied for anyone else. Each recorded
    call writes one row."""
    if not vendor_report_reader(actor):
        raise PermissionDenied(_("Your role does not give access to reports."))
    if not record:
        return report_scope_institution(institution=institution)
    audit_record(
        actor=actor,
        action="report.vendor_read",
        target=institution,
        institution=institution,
        after={"from": period.first.isoformat(), "to": period.last.isoformat(), "what": what},
    )
    return report_scope_institution(institution=institution)
