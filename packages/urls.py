from django.urls import path

from . import views

urlpatterns = [
    path("vendor/packages/", views.package_catalogue, name="package-catalogue"),
]
