from django.urls import path

from . import survey_views

urlpatterns = [
    path("tickets/<int:pk>/survey/", survey_views.survey_answer_view, name="survey-answer"),
    path("surveys/<str:token>/", survey_views.survey_link_view, name="survey-link"),
]
