from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and satisfaction")

    def ready(self):
        from . import audit_texts  # noqa: F401  (the audit log's sentence for the vendor's reads)
