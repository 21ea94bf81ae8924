from django.urls import path

from . import suggestions, views

urlpatterns = [
    path("trainings/", views.TrainingListView.as_view(), name="api-training-list"),
    path("trainings/<str:id>/", views.TrainingDetailView.as_view(), name="api-training-detail"),
    path(
        "trainings/<str:id>/registration/",
        views.TrainingRegistrationView.as_view(),
        name="api-training-registration",
    ),
    path(
        "trainings/<str:id>/recording/", views.TrainingRecordingView.as_view(), name="api-training-recording"
    ),
    path(
        "trainings/<str:id>/attendance/",
        views.TrainingAttendanceView.as_view(),
        name="api-training-attendance",
    ),
    path("me/training-feed/", views.TrainingFeedView.as_view(), name="api-training-feed"),
    path("trainings/<str:id>/ics/", views.TrainingIcsView.as_view(), name="api-training-ics"),
    path("library/", views.LibraryListView.as_view(), name="api-library-list"),
    path("library/<str:id>/", views.LibraryDetailView.as_view(), name="api-library-detail"),
    path("library/<str:id>/download/", views.LibraryDownloadView.as_view(), name="api-library-download"),
    path("suggestions/", suggestions.SuggestionListView.as_view(), name="api-suggestion-list"),
    path(
        "suggestions/<str:kind>/<str:id>/helpful/",
        suggestions.SuggestionHelpfulView.as_view(),
        name="api-suggestion-helpful",
    ),
    path("articles/", suggestions.ArticleListView.as_view(), name="api-article-list"),
    path("articles/<str:id>/", suggestions.ArticleDetailView.as_view(), name="api-article-detail"),
    path("articles/<str:id>/publish/", suggestions.ArticlePublishView.as_view(), name="api-article-publish"),
]
