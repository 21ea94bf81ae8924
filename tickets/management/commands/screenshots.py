"""Phone-width screenshots of the pages people meet first, so anyone can look at them without
running the portal: the customer's home, the engineers' queue, the training calendar, the library and
the institution report (at 1280 and 390 px)."""

import threading
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management.base import BaseCommand, CommandError
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application

from organizations.models import User
from tickets.selectors import product_list
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
        "and the institution report at 1280 and 390 px (demo logins), under var/screenshots/."
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
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=options["chromium"], headless=True, args=BROWSER_ARGS
                )
                for name, username, path, width in PAGES:
                    context = browser.new_context(
                        viewport={"width": width or options["width"], "height": 844},
                        locale=options["language"],
                        timezone_id=settings.TIME_ZONE,
                    )
                    context.add_cookies(
                        [
                            {
                                "name": settings.LANGUAGE_COOKIE_NAME,
                                "value": options["language"],
                                "url": base_url,
                            }
                        ]
                    )
                    page = context.new_page()
                    page.goto(f"{base_url}/accounts/login/?next={path}")
                    page.fill("input[name=username]", username)
                    page.fill("input[name=password]", options["password"])
                    page.click("[data-testid=login-submit]")
                    page.wait_for_url(f"{base_url}{path}")
                    # Charts are images fetched after the page: wait until they are drawn.
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(out / name), full_page=True)
                    context.close()
                    self.stdout.write(f"{out / name}")
                browser.close()
        finally:
            if server is not None:
                server.shutdown()
                server.server_close()

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
