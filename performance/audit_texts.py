"""How the audit log reads the installation keys' actions (organizations.audit_display)."""

from django.utils.translation import gettext_lazy as _

from organizations.audit_display import AuditField, audit_fields_register, audit_sentences_register

audit_sentences_register(
    {
        "usage_key.issue": _("%(actor)s issued the usage key %(target)s."),
        "usage_key.revoke": _("%(actor)s revoked the usage key %(target)s."),
    }
)
audit_fields_register(
    {"prefix": AuditField(_("Key prefix")), "revoked": AuditField(_("Revoked"), kind="bool")}
)
