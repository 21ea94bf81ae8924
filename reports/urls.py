from django.urls import path

from . import survey_views, views

urlpatterns = [
    path("tickets/<int:pk>/survey/", survey_views.survey_answer_view, name="survey-answer"),
    path("surveys/<str:token>/", survey_views.survey_link_view, name="survey-link"),
    path("reports/", views.report_page, name="report-page"),
    path("reports/chart/<slug:name>.svg", views.report_chart, name="report-chart"),
    path("reports/download.<str:fmt>", views.report_download, name="report-download"),
    path("vendor/reports/", views.vendor_report_page, name="vendor-report-page"),
    path("vendor/reports/download.<str:fmt>", views.vendor_report_download, name="vendor-report-download"),
    path("vendor/reports/chart/<slug:name>.svg", views.vendor_report_chart, name="vendor-report-chart"),
]
