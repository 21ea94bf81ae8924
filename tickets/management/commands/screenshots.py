"""Screenshots of the portal, so anyone can look at it without running it: the pages people meet
first at phone width (the customer's home, the engineers' queue, the training calendar, the library,
and the institution report at 1280 and 390 px); every role's main pages at 390 and 1280 px under
`roles/`; and with --docs, the first screen of the home, queue, ticket, report and performance pages at both
widths, as small PNGs for docs/web.md."""

import threading
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from django.urls import reverse

from organizations.models import User
from tickets.selectors import product_list, ticket_list_for_requester_side
from tickets.services import ticket_file

BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = [
    # file name, login, path, width (None: the --width option)
    ("customer-home.png", "premium-user1", "/", None),
    ("engineer-queue.png", "engineer1", "/desk/queue/", None),
    ("learning-calendar.png", "premium-user1", "/learning/", None),
    ("learning-library.png", "premium-user1", "/learning/library/", None),
    ("report-1280.png", "premium-admin", "/reports/", 1280),
    ("report-390.png", "premium-admin", "/reports/", 390),
]
WIDTHS = (390, 1280)
# Every role's main pages: role → (login, [(name, URL name)]); "ticket" is premium-user1's latest ticket.
ROLES = {
    "customer": (
        "premium-user1",
        [
            ("home", "home"),
            ("tickets", "ticket-list"),
            ("new-ticket", "ticket-new"),
            ("ticket", "ticket"),
            ("trainings", "learning-calendar"),
        ],
    ),
    "engineer": (
        "engineer1",
        [("queue", "ticket-queue"), ("ticket", "ticket"), ("development", "development-queue")],
    ),
    "desk-lead": (
        "lead",
        [("queue", "ticket-queue"), ("board", "desk-board"), ("reports", "vendor-report-page")],
    ),
    "institution-admin": (
        "premium-admin",
        [
            ("home", "home"),
            ("tickets", "ticket-list"),
            ("people", "people"),
            ("audit", "audit-log"),
            ("report", "report-page"),
            ("performance", "performance"),
        ],
    ),
    "vendor-staff": (
        "staff",
        [("catalogue", "package-catalogue"), ("reports", "vendor-report-page"), ("audit", "audit-log")],
    ),
}
# The pages docs/web.md shows: (file name, role, page name, what the first screen starts at, or "").
DOCS = [
    ("home", "customer", "home", ""),
    ("queue", "engineer", "queue", ""),
    ("ticket", "engineer", "ticket", ""),
    ("report", "institution-admin", "report", "#charts-title"),
    ("performance", "institution-admin", "performance", "[data-testid=downloads]"),
]
SAMPLE_TICKETS = [
    ("premium-user1", "bug", "Parsel sorgusu boş sonuç döndürüyor"),
    ("premium-user1", "question", "Katman stillerini başka projeye aktarma"),
    ("standard-user1", "problem", "Lisans sunucusuna bağlanılamıyor"),
    ("premiumplus-user1", "question", "Toplu adres güncellemesi nasıl yapılır?"),
]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Command(BaseCommand):
    help = (
        "Save 390 px wide PNGs of the customer home, the engineer queue, the training calendar and the library, "
        "the institution report at 1280 and 390 px, and every role's main pages at 390 and 1280 px under roles/ "
        "(demo logins), under var/screenshots/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", default=str(settings.VAR_DIR / "screenshots"), help="Folder for the PNG files."
        )
        parser.add_argument("--base-url", default="", help="Use a running portal instead of starting one.")
        parser.add_argument("--chromium", default="/usr/bin/chromium", help="Path of the Chromium binary.")
        parser.add_argument("--password", default="demo-pass-2026", help="Password of the demo logins.")
        parser.add_argument("--language", default="tr", choices=[code for code, _ in settings.LANGUAGES])
        parser.add_argument(
            "--sample-tickets",
            action="store_true",
            help="File a few demo tickets first so the pages are not empty.",
        )
        parser.add_argument("--width", type=int, default=390)
        parser.add_argument(
            "--docs",
            default="",
            help="Also save the first screen of the home, queue, ticket, report and performance pages at 390 and 1280 px "
            "in this folder, as small PNGs (<page>-<width>.png).",
        )

    def handle(self, *args, **options):
        from playwright.sync_api import sync_playwright

        if not Path(options["chromium"]).exists():
            raise CommandError(f"Chromium not found at {options['chromium']} (Debian package 'chromium').")
        if options["sample_tickets"]:
            self._file_samples()
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        server = None
        base_url = options["base_url"].rstrip("/")
        if not base_url:
            server = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=False)
            server.set_app(StaticFilesHandler(get_wsgi_application()))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            base_url = f"http://127.0.0.1:{server.server_address[1]}"
        # Read before the browser starts: Playwright runs an event loop, where the database is not called.
        role_paths = {role: (username, self._paths(names)) for role, (username, names) in ROLES.items()}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=options["chromium"], headless=True, args=BROWSER_ARGS
                )
                for name, username, path, width in PAGES:
                    page = self._logged_in(
                        browser, options, base_url, username, width or options["width"], path
                    )
                    self._shoot(page, out / name)
                    page.context.close()
                self._roles(browser, options, base_url, out / "roles", role_paths)
                browser.close()
        finally:
            if server is not None:
                server.shutdown()
                server.server_close()

    def _logged_in(self, browser, options, base_url, username, width, path):
        context = browser.new_context(
            viewport={"width": width, "height": 844 if width < 800 else 900},
            locale=options["language"],
            timezone_id=settings.TIME_ZONE,
        )
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": options["language"], "url": base_url}]
        )
        page = context.new_page()
        page.goto(f"{base_url}/accounts/login/?next={path}")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", options["password"])
        page.click("[data-testid=login-submit]")
        page.wait_for_url(f"{base_url}{path}")
        return page

    def _shoot(self, page, path: Path, *, full_page: bool = True):
        # Charts are images fetched after the page: wait until they are drawn.
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(path), full_page=full_page)
        self.stdout.write(str(path))

    def _paths(self, names: list[tuple[str, str]]) -> list[tuple[str, str]]:
        paths = []
        for name, url_name in names:
            if url_name != "ticket":
                paths.append((name, reverse(url_name)))
                continue
            customer = User.objects.get(username="premium-user1")
            ticket = ticket_list_for_requester_side(person=customer).order_by("-pk").first()
            if ticket is not None:
                paths.append((name, reverse("ticket-detail", args=[ticket.pk])))
        return paths

    def _roles(self, browser, options, base_url, out: Path, role_paths: dict):
        """Every role's main pages at both widths: roles/<role>-<page>-<width>.png; and the pages of
        docs/web.md, first screen only, under --docs."""
        out.mkdir(parents=True, exist_ok=True)
        docs = Path(options["docs"]) if options["docs"] else None
        if docs:
            docs.mkdir(parents=True, exist_ok=True)
        wanted = {(role, name): (file, start) for file, role, name, start in DOCS}
        for role, (username, paths) in role_paths.items():
            for width in WIDTHS:
                page = self._logged_in(browser, options, base_url, username, width, paths[0][1])
                for name, path in paths:
                    if page.url != f"{base_url}{path}":
                        page.goto(f"{base_url}{path}")
                    self._shoot(page, out / f"{role}-{name}-{width}.png")
                    if docs and (role, name) in wanted:
                        file, start = wanted[role, name]
                        if start:
                            page.locator(start).first.evaluate("(element) => element.scrollIntoView()")
                        target = docs / f"{file}-{width}.png"
                        self._shoot(page, target, full_page=False)
                        _shrink(target)
                page.context.close()

    def _file_samples(self):
        product = product_list().first()
        for username, kind, subject in SAMPLE_TICKETS:
            person = User.objects.get(username=username)
            ticket_file(
                actor=person,
                subject=subject,
                description="Örnek talep: ekran görüntüleri için oluşturuldu.",
                kind=kind,
                product=product,
            )


def _shrink(path: Path) -> None:
    """A screenshot for the documentation: 64 colours are enough for the portal's flat look."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
