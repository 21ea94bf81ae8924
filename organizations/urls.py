from django.urls import include, path

from . import views

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("institution/people/", views.people, name="people"),
    path("institution/people/<int:pk>/active/", views.person_active, name="person-active"),
    path("institution/tree/", views.org_tree, name="org-tree"),
    path("institution/monitoring/", views.monitoring, name="monitoring"),
    path("institution/monitoring/<int:pk>/revoke/", views.monitoring_revoke, name="monitoring-revoke"),
]
