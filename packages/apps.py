from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PackagesConfig(AppConfig):
    name = "packages"
    verbose_name = _("Packages and subscriptions")

    def ready(self):
        # organizations sits below packages and reads the contract through the rules given here.
        from organizations.contracts import ContractRules, contract_rules_register

        from .api.serializers import subscription_data
        from .permissions import region_management_lock, require_seat
        from .selectors import allotment_list, subscription_get_active

        def data(institution):
            active = subscription_get_active(institution=institution)
            return None if active is None else subscription_data(active, allotment_list(subscription=active))

        contract_rules_register(
            ContractRules(
                in_force=lambda institution: subscription_get_active(institution=institution),
                require_seat=require_seat,
                region_management_lock=region_management_lock,
                data=data,
            )
        )
