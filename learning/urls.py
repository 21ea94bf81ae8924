from django.urls import path

from . import views

urlpatterns = [
    path("learning/", views.training_calendar, name="learning-calendar"),
    path("learning/trainings/<int:pk>/", views.training_detail, name="learning-training"),
    path("learning/trainings/<int:pk>.ics", views.training_ics, name="learning-training-ics"),
    path(
        "learning/trainings/<int:pk>/registration/", views.training_registration, name="learning-registration"
    ),
    path("learning/trainings/<int:pk>/recording/", views.training_recording, name="learning-recording"),
    path("learning/trainings/<int:pk>/attendance/", views.training_attendance, name="learning-attendance"),
    path("learning/feed/<str:token>.ics", views.training_feed, name="learning-feed"),
    path("learning/feed/reset/", views.training_feed_reset, name="learning-feed-reset"),
    path("learning/library/", views.library_list, name="learning-library"),
    path("learning/articles/new/", views.article_new, name="learning-article-new"),
    path("learning/library/<int:pk>/", views.library_article, name="learning-library-item"),
    path("learning/library/<int:pk>/download/", views.library_download, name="learning-download"),
]
