from django.urls import path

from .views import (
    DestructionRecordListView,
    DestructionRecordPdfView,
    MeExportView,
    PersonAnonymiseView,
    PersonExportView,
)

urlpatterns = [
    path("me/export/", MeExportView.as_view(), name="api-me-export"),
    path("people/<str:pk>/export/", PersonExportView.as_view(), name="api-person-export"),
    path("people/<str:pk>/anonymise/", PersonAnonymiseView.as_view(), name="api-person-anonymise"),
    path("vendor/destruction-records/", DestructionRecordListView.as_view(), name="api-destruction-records"),
    path(
        "vendor/destruction-records/<str:pk>/pdf/",
        DestructionRecordPdfView.as_view(),
        name="api-destruction-record-pdf",
    ),
]
