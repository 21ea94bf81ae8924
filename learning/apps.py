from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Learning services")

    def ready(self):
        from organizations.audit import audit_actions_register

        audit_actions_register(
            {
                "article.create": _("Solution article drafted"),
                "article.update": _("Solution article edited"),
                "article.publish": _("Solution article published"),
            }
        )
