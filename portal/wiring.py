"""Functions the composition layer lends one app on behalf of another (see PortalConfig.ready)."""

from django.utils.translation import gettext as _

from organizations.models import User
from reports.services.surveys import survey_link_for
from tickets.models import Ticket


def survey_email_link(ticket: Ticket, recipient: User | None) -> tuple[str, str] | None:
    """The satisfaction survey's one-click link in the e-mail telling the requester of the
    resolution; nothing for anyone else or once it is answered."""
    url = survey_link_for(ticket, recipient)
    return (_("How satisfied are you with the answer? Tell us in one click"), url) if url else None
