from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from slaportal import health, metrics

SWAGGER_CDN = "https://cdn.jsdelivr.net"
SWAGGER_CSP = {"script-src": [SWAGGER_CDN], "style-src": [SWAGGER_CDN], "img-src": [SWAGGER_CDN]}

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("slaportal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # swagger-ui comes from its CDN: the one page whose Content-Security-Policy allows another host.
    # The split view serves its start-up script as a file instead of inline.
    path(
        "api/docs/",
        csp_update(SWAGGER_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("health/", health.HealthView.as_view(), name="health"),
    path("health/live/", health.live, name="health-live"),
    path("metrics", metrics.metrics, name="metrics"),
    path("", include("portal.urls")),
    path("", include("organizations.urls")),
    # Before tickets: its "tickets/<id>/<action>/" would take the survey's address.
    path("", include("reports.urls")),
    path("", include("tickets.urls")),
    path("", include("packages.urls")),
    path("", include("notifications.urls")),
    path("", include("learning.urls")),
    path("", include("performance.urls")),
    path("", include("bookings.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
