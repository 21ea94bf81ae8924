"""How the audit log reads the vendor's reading of an institution's report (organizations.audit_display)."""

from django.utils.translation import gettext_lazy as _

from organizations.audit_display import AuditField, audit_fields_register, audit_sentences_register

audit_sentences_register(
    {"report.vendor_read": _("%(actor)s read the institution's report for %(after.from)s – %(after.to)s.")}
)
audit_fields_register(
    {
        "from": AuditField(_("From"), kind="date"),
        "to": AuditField(_("To"), kind="date"),
        "what": AuditField(_("Read as")),
    }
)
