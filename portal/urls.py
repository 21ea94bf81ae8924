from django.urls import path

from . import views, webapp
from .privacy import views as privacy

urlpatterns = [
    path("", views.home, name="home"),
    path("manifest.webmanifest", webapp.web_manifest, name="webapp-manifest"),
    path("sw.js", webapp.service_worker, name="webapp-service-worker"),
    path("offline/", webapp.offline, name="webapp-offline"),
    path("institution/people/<int:pk>/privacy/", privacy.person_privacy, name="person-privacy"),
    path(
        "institution/people/<int:pk>/privacy/export/",
        privacy.person_privacy_export,
        name="person-privacy-export",
    ),
    path(
        "vendor/destruction-records/<int:pk>/pdf/",
        privacy.destruction_record_download,
        name="destruction-record-pdf",
    ),
]
