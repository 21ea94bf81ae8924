"""The main menu, grouped as the seed groups the services: Teknik Destek Servisleri, Kurumsal
Yönetim Servisleri, Öğrenme Servisleri, then the support desk's and the vendor's own areas and the
person's account. Each role sees only what it can use; what the institution's package does not
include is left out of the menu and shown once, on the home page, with what it would give.

`menu` is a context processor: the menu is built when a page's template first reads `nav`, so
fragments and JSON answers never pay for it."""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from bookings.permissions import workshop_lock
from organizations.roles import Role
from packages.permissions import performance_tracking_lock, region_management_lock


@dataclass
class Item:
    route: str
    label: str
    # Other route names under which this item is the current page.
    also: tuple[str, ...] = ()
    lock: str | None = None  # the key of LOCKS that hides it when the package lacks the feature

    url: str = ""
    current: bool = False


@dataclass
class Group:
    key: str
    label: str
    items: list[Item] = field(default_factory=list)


# Each package feature that hides menu items: how it is checked, its name and what it would give,
# for the home page.
LOCKS = {
    "region_management": (
        region_management_lock,
        gettext_lazy("Region-based organisation management"),
        gettext_lazy(
            "Regions and units of your institution, unit and region managers following their part "
            "of the tree, and tickets shared with colleagues, units or regions."
        ),
    ),
    "performance_tracking": (
        performance_tracking_lock,
        gettext_lazy("Institution personnel performance tracking"),
        gettext_lazy(
            "Your people's use of the products and their performance over time, as charts and "
            "downloadable reports."
        ),
    ),
    "workshops": (
        workshop_lock,
        gettext_lazy("Institution-specific workshops"),
        gettext_lazy(
            "Online workshops for your institution's people, two hours each, as questions and answers."
        ),
    ),
}

ADMIN = {Role.INSTITUTION_ADMIN}
MANAGERS = {Role.INSTITUTION_ADMIN, Role.UNIT_MANAGER, Role.REGION_MANAGER}
CUSTOMER_SIDE = {Role.CUSTOMER, Role.UNIT_MANAGER, Role.REGION_MANAGER, Role.INSTITUTION_ADMIN}
DESK = {Role.SUPPORT_ENGINEER, Role.DESK_LEAD}
VENDOR = {Role.SUPPORT_ENGINEER, Role.DESK_LEAD, Role.PACKAGE_MANAGER}
BOOKINGS = {Role.PACKAGE_MANAGER, Role.DESK_LEAD}


def _groups(user) -> list[tuple[str, str, list[tuple[set, Item]]]]:
    """(key, label, [(roles, item)]) in the menu's order."""
    role = user.role
    return [
        (
            "support",
            pgettext("service family", "Technical support services"),
            [
                (CUSTOMER_SIDE, Item("ticket-new", _("New ticket"))),
                (
                    CUSTOMER_SIDE,
                    Item(
                        "ticket-list",
                        _("All tickets") if role == Role.INSTITUTION_ADMIN else _("My tickets"),
                    ),
                ),
                (ADMIN, Item("onsite-list", _("On-site days"))),
                (CUSTOMER_SIDE, Item("onboarding-list", _("Onboarding"))),
            ],
        ),
        (
            "management",
            pgettext("service family", "Institution management services"),
            [
                (ADMIN, Item("people", _("People"))),
                (ADMIN, Item("org-tree", _("Regions and units"), lock="region_management")),
                (ADMIN, Item("monitoring", _("Monitoring"), lock="region_management")),
                (MANAGERS, Item("report-page", _("Reports"))),
                (CUSTOMER_SIDE, Item("performance", _("Performance"), lock="performance_tracking")),
                (ADMIN, Item("usage-keys", _("Installation keys"))),
                (ADMIN, Item("audit-log", _("Audit log"))),
            ],
        ),
        (
            "learning",
            pgettext("service family", "Learning services"),
            [
                (CUSTOMER_SIDE, Item("learning-calendar", _("Trainings"), also=("learning-library",))),
                (ADMIN, Item("workshop-list", _("Workshops"), lock="workshops")),
            ],
        ),
        (
            "desk",
            _("Support desk"),
            [
                (DESK, Item("ticket-queue", _("Queue"))),
                ({Role.DESK_LEAD}, Item("desk-board", _("SLA board"))),
                (DESK, Item("macro-list", _("Macros"))),
                (
                    VENDOR | {Role.DEVELOPER},
                    Item("development-queue", _("Development"), also=("development-item",)),
                ),
            ],
        ),
        (
            "vendor",
            _("Vendor"),
            [
                ({Role.PACKAGE_MANAGER}, Item("package-catalogue", _("Package catalogue"))),
                (BOOKINGS, Item("vendor-report-page", _("Reports"))),
                (
                    BOOKINGS,
                    Item("vendor-workshops", _("Bookings"), also=("vendor-onsite", "vendor-onboarding")),
                ),
                (VENDOR, Item("vendor-calendar", _("Calendar"))),
                (
                    {Role.PACKAGE_MANAGER},
                    Item("learning-calendar", _("Trainings"), also=("learning-library",)),
                ),
                (VENDOR, Item("audit-log", _("Audit log"))),
            ],
        ),
    ]


def navigation(user, current: str | None) -> dict:
    """{"home": Item, "groups": [Group], "account": [Item], "locked": [{"feature", "gives",
    "packages"}]} for a signed-in person."""
    lock_keys = set()
    for _key, _label, entries in _groups(user):
        lock_keys |= {item.lock for roles, item in entries if item.lock and user.role in roles}
    locks = {}
    institution = user.institution if user.institution_id else None
    for key, packages in _locked(institution, lock_keys).items():
        _check, feature, gives = LOCKS[key]
        locks[key] = {"feature": feature, "gives": gives, "packages": ", ".join(packages)}

    def place(item: Item) -> Item:
        item.url = reverse(item.route)
        item.current = current == item.route or current in item.also
        return item

    groups = []
    for key, label, entries in _groups(user):
        items = [place(item) for roles, item in entries if user.role in roles and item.lock not in locks]
        if items:
            groups.append(Group(key, label, items))
    account = [place(Item("notification-preferences", _("Notifications")))]
    return {
        "home": place(Item("home", _("Home"))),
        "groups": groups,
        "account": account,
        "admin_url": reverse("admin:index") if user.is_staff else None,
        "locked": list(locks.values()),
        "locked_keys": set(locks),
    }


# The locks are read from the contract on a page view at most once a minute per institution: the
# menu is on every page, and a package changes a few times a year.
LOCK_CACHE_SECONDS = 60


def _locked(institution, keys: set[str]) -> dict[str, list[str]]:
    """{lock key: names of the packages that include the feature} for the features among `keys`
    that the institution's contract in force does not include."""
    if institution is None or not keys:
        return {}
    cache_key = f"nav-locks:{institution.pk}:{','.join(sorted(keys))}"
    locked = cache.get(cache_key)
    if locked is None:
        locked = {}
        for key in sorted(keys):
            lock = LOCKS[key][0](institution)
            if lock is not None:
                locked[key] = list(lock.packages)
        cache.set(cache_key, locked, LOCK_CACHE_SECONDS)
    return locked


def menu(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else None
    return {"nav": SimpleLazyObject(lambda: navigation(user, current))}
