"""How the audit log reads the tickets' actions (sharing, development items): a sentence for each
and a label for each field they record (organizations.audit_display)."""

from django.utils.translation import gettext_lazy as _

from organizations.audit_display import AuditField, audit_fields_register, audit_sentences_register

audit_sentences_register(
    {
        "ticket.share": _("%(actor)s shared the ticket %(target)s with %(after.target_name)s."),
        "ticket.unshare": _("%(actor)s stopped sharing the ticket %(target)s with %(before.target_name)s."),
        "development_item.create": _("%(actor)s opened the development item %(target)s."),
        "development_item.update": _("%(actor)s changed the development item %(target)s."),
        "development_item.merge": _(
            "%(actor)s merged the development item %(target)s into %(after.merged_into)s."
        ),
        "development_item.link": _("%(actor)s linked the ticket %(after.ticket)s to a development item."),
    }
)
audit_fields_register(
    {
        "target": AuditField(_("Shared with"), hidden=True),
        "target_id": AuditField(_("Shared with"), hidden=True),
        "target_name": AuditField(_("Shared with")),
        "ticket": AuditField(_("Ticket"), kind="ticket"),
        "tickets": AuditField(_("Tickets"), kind="ticket"),
        # The vendor's backlog is its own: an institution reads that its ticket was linked, not where.
        "item": AuditField(_("Development item"), kind="ticket", vendor_only=True),
        "merged_into": AuditField(_("Merged into"), kind="ticket"),
    }
)
