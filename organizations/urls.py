from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import sign_in, views
from .passwords import PasswordResetForm

urlpatterns = [
    path("accounts/login/", sign_in.SignInView.as_view(), name="login"),
    path("accounts/oidc/start/", sign_in.DirectoryOIDCStart.as_view(), name="oidc_authentication_init"),
    path(
        "accounts/oidc/callback/",
        sign_in.DirectoryOIDCCallback.as_view(),
        name="oidc_authentication_callback",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("institution/people/", views.people, name="people"),
    path("institution/people/<int:pk>/active/", views.person_active, name="person-active"),
    path("institution/tree/", views.org_tree, name="org-tree"),
    path("institution/tree/regions/", views.tree_region_create, name="org-tree-region-create"),
    path(
        "institution/tree/regions/<int:pk>/rename/", views.tree_region_rename, name="org-tree-region-rename"
    ),
    path("institution/tree/units/", views.tree_unit_create, name="org-tree-unit-create"),
    path("institution/tree/units/<int:pk>/rename/", views.tree_unit_rename, name="org-tree-unit-rename"),
    path("institution/tree/move/", views.tree_person_move, name="org-tree-person-move"),
    path("institution/monitoring/", views.monitoring, name="monitoring"),
    path("institution/monitoring/<int:pk>/revoke/", views.monitoring_revoke, name="monitoring-revoke"),
    path("institution/audit/", views.audit_log, name="audit-log"),
]
