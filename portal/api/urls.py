from django.urls import path

from .views import MeExportView, PersonAnonymiseView, PersonExportView

urlpatterns = [
    path("me/export/", MeExportView.as_view(), name="api-me-export"),
    path("people/<str:pk>/export/", PersonExportView.as_view(), name="api-person-export"),
    path("people/<str:pk>/anonymise/", PersonAnonymiseView.as_view(), name="api-person-anonymise"),
]
