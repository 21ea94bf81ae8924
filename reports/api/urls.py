from django.urls import path

from .summary import ReportDownloadView, ReportSummaryView
from .surveys import TicketSurveyView
from .vendor import VendorReportDownloadView, VendorReportView

urlpatterns = [
    path("tickets/<str:pk>/survey/", TicketSurveyView.as_view(), name="api-ticket-survey"),
    path("reports/summary/", ReportSummaryView.as_view(), name="api-report-summary"),
    path("reports/download/", ReportDownloadView.as_view(), name="api-report-download"),
    path("vendor/report/", VendorReportView.as_view(), name="api-vendor-report"),
    path("vendor/report/download/", VendorReportDownloadView.as_view(), name="api-vendor-report-download"),
]
