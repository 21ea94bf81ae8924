from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = _("Performance tracking")

    def ready(self):
        from organizations.audit import audit_actions_register

        from . import audit_texts  # noqa: F401  (the audit log's sentences for the keys' actions)

        audit_actions_register(
            {
                "usage_key.issue": _("Usage key issued"),
                "usage_key.revoke": _("Usage key revoked"),
            }
        )
