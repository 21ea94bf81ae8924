from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = _("Performance tracking")

    def ready(self):
        from organizations.audit import audit_actions_register

        audit_actions_register(
            {
                "usage_key.issue": _("Usage key issued"),
                "usage_key.revoke": _("Usage key revoked"),
            }
        )
