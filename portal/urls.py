from django.urls import path

from . import views, webapp

urlpatterns = [
    path("", views.home, name="home"),
    path("manifest.webmanifest", webapp.web_manifest, name="webapp-manifest"),
    path("sw.js", webapp.service_worker, name="webapp-service-worker"),
    path("offline/", webapp.offline, name="webapp-offline"),
]
