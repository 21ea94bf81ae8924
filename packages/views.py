from django.shortcuts import render
from django.utils.translation import gettext as _

from organizations.decorators import role_required
from organizations.roles import Role

from .models import Channel
from .selectors import package_list


def _term(term) -> str:
    if term is None:
        return "—"
    if term.pricing == term.Pricing.NOT_OFFERED:
        # The seed table's ✗, in the words the customers' pages use.
        return "✗ " + _("Not included")
    if term.pricing == term.Pricing.PER_DAY:
        return _("Priced per day")
    if term.is_unlimited:
        return _("Unlimited")
    if term.minimum == term.maximum:
        return str(term.minimum)
    return f"{term.minimum}–{term.maximum}"


@role_required(Role.PACKAGE_MANAGER)
def package_catalogue(request):
    """The catalogue as vendor staff sell it; editing and selling happen in the administration."""
    packages = list(package_list())
    rows = []
    for package in packages:
        terms = {term.channel: term for term in package.channels.all()}
        users = (
            f"{package.users_min}–{package.users_max}"
            if package.users_max is not None and package.users_max != package.users_min
            else str(package.users_max)
            if package.users_max is not None
            else f"{package.users_min}+"
        )
        rows.append(
            {
                "package": package,
                "users": users,
                "channels": [(Channel(c).label, _term(terms.get(c))) for c in Channel.values],
                "features": [
                    (package._meta.get_field(name).verbose_name, getattr(package, name))
                    for name in package.FEATURE_FIELDS
                ],
            }
        )
    return render(request, "packages/catalogue.html", {"rows": rows})
