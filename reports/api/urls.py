from django.urls import path

from .surveys import TicketSurveyView

urlpatterns = [
    path("tickets/<str:pk>/survey/", TicketSurveyView.as_view(), name="api-ticket-survey"),
]
