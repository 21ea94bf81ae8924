"""Shared fixtures. Tests that need a real service ask for it through a fixture: on a newcomer's
machine without it they skip with the reason; under CI (CI=true) a missing service fails them."""

import os
import shutil

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread
from django.utils import translation
from rest_framework.test import APIClient

from organizations.roles import Role
from slaportal.api.services import api_token_issue
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, UnitFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
# CI's second pass (.ci/run) runs the whole suite on the embedded default on purpose, as a
# newcomer's `python3 dev.py test` does: there a test that needs PostgreSQL skips with its reason,
# while every other service (Redis, Chromium, …) stays required by CI=true.
CI_DATABASE_SQLITE = os.environ.get("CI_DATABASE", "").lower() == "sqlite"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require_service(available: bool, reason: str) -> None:
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} — required under CI=true", pytrace=False)
    pytest.skip(reason)


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if CI_DATABASE_SQLITE and engine != "django.db.backends.sqlite3":
        raise pytest.UsageError(f"CI_DATABASE=sqlite, but the database is {engine}: unset DATABASE_URL")


@pytest.fixture
def postgres():
    """The test runs on PostgreSQL (DATABASE_URL); SQLite cannot show what it checks."""
    reason = "needs PostgreSQL: set DATABASE_URL=postgres://…"
    if CI_DATABASE_SQLITE and connection.vendor == "sqlite":
        pytest.skip(f"{reason} (this run is on SQLite on purpose: CI_DATABASE=sqlite)")
    require_service(connection.vendor == "postgresql", reason)


def _redis_ping(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except (redis.exceptions.RedisError, OSError, ValueError):
        return False


@pytest.fixture
def redis_url():
    from django.conf import settings

    url = settings.REDIS_URL or os.environ.get("REDIS_URL", "")
    require_service(bool(url) and _redis_ping(url), "needs Redis: set REDIS_URL=redis://…")
    return url


@pytest.fixture
def chromium_path():
    available = os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None
    require_service(available, f"needs Chromium at {CHROMIUM} (Debian package 'chromium')")
    return CHROMIUM


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalogue(db):
    from packages.models import Package

    return {package.code: package for package in Package.objects.prefetch_related("channels")}


# The data migrations whose rows every test relies on, and the function each writes them with
# (both idempotent).
DATA_MIGRATIONS = (
    ("organizations", "0002_role_groups", "create_groups"),
    ("organizations", "0010_directory_permissions", "grant"),
    ("packages", "0002_catalogue", "load_catalogue"),
    ("notifications", "0002_cursor_start", "start_at_present"),
    ("portal", "0002_retention_rules", "create_rules"),
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A kept database (--reuse-db) may come from a run whose last transactional test ended with a
    flush, which wipes the rows of data migrations too. They are written again here, as the
    migrations wrote them (on the migrated state's models), and the snapshot serialized rollback
    restores after each transactional test is taken again, so every session starts from them."""
    import importlib

    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    with django_db_blocker.unblock():
        for connection_ in connections.all():
            state_apps = MigrationLoader(connection_).project_state().apps
            for app_label, name, function in DATA_MIGRATIONS:
                module = importlib.import_module(f"{app_label}.migrations.{name}")
                getattr(module, function)(state_apps, None)
            if hasattr(connection_, "_test_serialized_contents"):
                connection_._test_serialized_contents = connection_.creation.serialize_db_to_string()


def pytest_collection_modifyitems(items):
    """A transactional test (threads on their own connections, a live server) ends with a flush that
    also wipes the rows of data migrations: the package catalogue and the role groups. Serialized
    rollback makes each such test start from them again, whichever transactional test ran before."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        transactional = kwargs.get("transaction") or {"transactional_db", "live_server"} & set(
            item.fixturenames
        )
        if transactional and "serialized_rollback" not in kwargs:
            item.add_marker(
                pytest.mark.django_db(
                    *(marker.args if marker else ()),
                    **{**kwargs, "transaction": True, "serialized_rollback": True},
                ),
                append=False,
            )


@pytest.fixture
def premium(db):
    """A Premium contract of a fresh institution."""
    return SubscriptionFactory(package_code="premium")


@pytest.fixture
def customer(premium):
    return PersonFactory(role=Role.CUSTOMER, institution=premium.institution)


@pytest.fixture
def engineer(db):
    return PersonFactory(role=Role.SUPPORT_ENGINEER)


@pytest.fixture
def standard():
    return SubscriptionFactory(package_code="standard")


@pytest.fixture
def institution_admin(premium):
    return PersonFactory(role=Role.INSTITUTION_ADMIN, institution=premium.institution)


@pytest.fixture
def admin(institution_admin):
    """The institution admin of a Premium contract (12 workshops, 6 on-site days), by the shorter
    name the API and booking tests use."""
    return institution_admin


@pytest.fixture
def lead(db):
    return PersonFactory(role=Role.DESK_LEAD)


@pytest.fixture
def package_manager(db):
    return PersonFactory(role=Role.PACKAGE_MANAGER, is_staff=True, is_superuser=True)


@pytest.fixture
def stranger(db):
    """A customer of another institution."""
    subscription = SubscriptionFactory(package_code="premium")
    return PersonFactory(role=Role.CUSTOMER, institution=subscription.institution)


@pytest.fixture
def tree():
    """A Premium institution: region 1 with units 1 and 2, region 2 with unit 3, and its admin."""
    institution = SubscriptionFactory(package_code="premium").institution
    region1, region2 = RegionFactory(institution=institution), RegionFactory(institution=institution)
    return {
        "institution": institution,
        "region1": region1,
        "region2": region2,
        "unit1": UnitFactory(region=region1),
        "unit2": UnitFactory(region=region1),
        "unit3": UnitFactory(region=region2),
        "admin": PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution),
    }


@pytest.fixture
def unit(premium):
    return UnitFactory(region=RegionFactory(institution=premium.institution))


@pytest.fixture
def browser_client(client):
    """A client that reads the pages in English, so assertions read like the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def client_for():
    """An API client signed in as the person with their app token, as the apps do."""

    def make(person) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(actor=person).key}")
        return client

    return make


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


class _OneRequestAtATime(WSGIServer):
    """The live server for SQLite: its threads would share the test's one in-memory connection,
    which SQLite cannot serve from several threads at once (requests made in parallel by a page and
    its service worker wait on each other for ever), so requests are served one after another."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


@pytest.fixture(autouse=True, scope="session")
def _live_server_for_the_database():
    if connection.vendor == "sqlite":
        LiveServerThread.server_class = _OneRequestAtATime


@pytest.fixture(autouse=True)
def _site_language():
    # Every test starts in the site's language: a request in another one leaves that language
    # active in the thread (LocaleMiddleware activates it and nothing puts the site's back).
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def sent_tasks(monkeypatch):
    """The names of the tasks `slaportal.celery.publish` sends, recorded instead of sent."""
    from slaportal import celery

    names: list[str] = []
    monkeypatch.setattr(celery, "_broker_down_until", 0.0)
    monkeypatch.setattr(celery.app, "send_task", lambda name, **options: names.append(name))
    return names
