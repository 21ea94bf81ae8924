from django.urls import path

from .views import (
    PerformanceDownloadView,
    PerformanceView,
    UsageEventIngestView,
    UsageKeyListView,
    UsageKeyRevokeView,
)

urlpatterns = [
    path("usage/events/", UsageEventIngestView.as_view(), name="api-usage-events"),
    path("usage/keys/", UsageKeyListView.as_view(), name="api-usage-keys"),
    path("usage/keys/<str:pk>/revoke/", UsageKeyRevokeView.as_view(), name="api-usage-key-revoke"),
    path("performance/", PerformanceView.as_view(), name="api-performance"),
    path("performance/download/", PerformanceDownloadView.as_view(), name="api-performance-download"),
]
