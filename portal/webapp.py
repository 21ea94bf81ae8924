"""The installable web app: its manifest, its service worker (served from the site's root so that
it may control every page) and the page shown offline for a page never read before."""

import json

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME_COLOUR = "#0b5cad"
SERVICE_WORKER = "js/sw.js"
# What the service worker keeps from its installation on: enough to show any page it has read.
SHELL_ASSETS = ("css/portal.css", "js/portal.js", "js/offline.js", "js/push.js", "icons/icon-192.png")


@require_GET
@cache_control(max_age=3600)
def web_manifest(request):
    """The web app manifest: what a phone needs to install the portal as an app."""
    manifest = {
        "id": "/",
        "name": "SLA Portal",
        "short_name": "SLA Portal",
        "description": _("Support tickets, deadlines, trainings and reports of your support package."),
        "lang": request.LANGUAGE_CODE,
        "dir": "ltr",
        "start_url": "/?source=app",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json")


def _service_worker_source() -> str:
    found = finders.find(SERVICE_WORKER)
    if found:
        with open(found, encoding="utf-8") as handle:
            return handle.read()
    with staticfiles_storage.open(SERVICE_WORKER) as handle:
        return handle.read().decode("utf-8")


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """The service worker, at /sw.js so that its scope is the whole site (Service-Worker-Allowed
    says so too). The asset addresses it caches are given by the static storage, hashed in
    production, so a new release installs a new worker."""
    config = {
        "shell": [static(asset) for asset in SHELL_ASSETS],
        "offline": reverse("webapp-offline"),
        "tickets_api": reverse("api-ticket-list") + "?page_size=10",
        "ticket_page": reverse("ticket-detail", args=[0]),
    }
    source = f"self.SLA_CONFIG = {json.dumps(config)};\n" + _service_worker_source()
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    """Shown by the service worker, offline, for a page it has not kept."""
    return render(request, "portal/offline.html")
