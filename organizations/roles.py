"""The roles of the product. A person holds one role: the `User.role` column. Each role also has a
Django group of the same name, derived from the column (organizations.services.person_groups_sync),
which carries only the model permissions the Django admin checks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    UNIT_MANAGER = "unit_manager", _("Unit manager")
    REGION_MANAGER = "region_manager", _("Region manager")
    INSTITUTION_ADMIN = "institution_admin", _("Institution admin")
    SUPPORT_ENGINEER = "support_engineer", _("Support engineer")
    DESK_LEAD = "desk_lead", _("Desk lead")
    PACKAGE_MANAGER = "package_manager", _("Package manager")
    DEVELOPER = "developer", _("Developer")


CUSTOMER_SIDE = frozenset({Role.CUSTOMER, Role.UNIT_MANAGER, Role.REGION_MANAGER, Role.INSTITUTION_ADMIN})
VENDOR_SIDE = frozenset({Role.SUPPORT_ENGINEER, Role.DESK_LEAD, Role.PACKAGE_MANAGER})
# The vendor's development unit: it works development items and sees of a ticket only what an item
# links to it, so it stands outside VENDOR_SIDE (which reads every ticket).
DEVELOPMENT_ROLES = frozenset({Role.DEVELOPER})
# People who belong to no institution.
WITHOUT_INSTITUTION = VENDOR_SIDE | DEVELOPMENT_ROLES
# Who works the development queue: the development unit and vendor staff.
DEVELOPMENT_QUEUE_ROLES = DEVELOPMENT_ROLES | VENDOR_SIDE
# Vendor roles that work the support queue.
DESK_ROLES = frozenset({Role.SUPPORT_ENGINEER, Role.DESK_LEAD})
