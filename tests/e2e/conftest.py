"""Playwright against pytest-django's live server. The browser is launched once per session
and each test gets fresh contexts; a failing test leaves a screenshot of every open page in
test-artifacts/."""

import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e import a11y

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# the database calls the tests make around it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "demo-pass-2026"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the flush that ends a transactional test, put back what the migrations created (role
    groups, the catalogue), so transactional tests that run later in the session find it."""
    yield
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    contents = getattr(connection, "_test_serialized_contents", None)
    # After the session's last test the test database is already gone, and nothing needs the rows.
    if contents and item.get_closest_marker("browser") and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def browser(chromium_path):
    # One browser per test: Playwright's event loop must not outlive the test, or the next test's
    # database fixtures would run under it and see a different connection object.
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=BROWSER_ARGS)
        yield browser
        browser.close()
        # While Playwright's loop runs, Django keeps the test's database connections apart from
        # the fixtures' (its connections are per async context): close the test's here, or the
        # session would end with a connection open on the test database and fail to drop it.
        connections.close_all()


@pytest.fixture
def open_page(browser, live_server, request):
    """Opens a page in a fresh browser context (its own cookies: one person per context). Every
    page loaded in it is audited with axe-core (tests/e2e/a11y.py): the test fails on a serious or
    critical WCAG 2.1 AA violation."""
    contexts = []
    audit = a11y.Audit() if a11y.axe_or_warn() else None

    def open_(width=1280, height=900, language=None):
        context = browser.new_context(
            viewport={"width": width, "height": height}, timezone_id="Europe/Istanbul"
        )
        context.set_default_timeout(20_000)
        if language:
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )
        if audit is not None:
            audit.attach(context)
        contexts.append(context)
        return context.new_page()

    yield open_
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for i, context in enumerate(contexts):
            for j, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{name}-{i}-{j}.png"), full_page=True)
    found = audit.finish(contexts) if audit is not None and not (failed is not None and failed.failed) else ""
    for context in contexts:
        context.close()
    if found:
        pytest.fail("axe-core found serious or critical violations:\n" + found, pytrace=False)


@pytest.fixture
def axe():
    """A test of accessibility itself: skips without axe-core (fails under CI=true)."""
    a11y.require_axe()


@pytest.fixture
def demo(transactional_db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())


def log_in(page, live_server, username, next_path="/"):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{live_server.url}{next_path}")
    return page
