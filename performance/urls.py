from django.urls import path

from . import views

urlpatterns = [
    path("institution/usage-keys/", views.usage_keys, name="usage-keys"),
    path("institution/usage-keys/<int:pk>/revoke/", views.usage_key_revoke, name="usage-key-revoke"),
    path("institution/performance/", views.performance, name="performance"),
    path("institution/performance/chart/<str:name>.svg", views.performance_chart, name="performance-chart"),
    path("institution/performance/export.xlsx", views.performance_export, name="performance-export"),
    path("institution/performance/report.pdf", views.performance_pdf, name="performance-pdf"),
]
