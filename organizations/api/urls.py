from django.urls import path
from rest_framework.routers import SimpleRouter

from .audit import AuditLogView
from .duty import DeskDutyPlanView, DeskDutyView
from .grants import MonitoringGrantListView, MonitoringGrantRevokeView
from .passwords import PasswordChangeView, PasswordResetConfirmView, PasswordResetView
from .views import MeView, PersonViewSet, RegionViewSet, TokenView, UnitViewSet

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="api-region")
router.register("units", UnitViewSet, basename="api-unit")
router.register("people", PersonViewSet, basename="api-person")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-auth-token"),
    path("auth/password-reset/", PasswordResetView.as_view(), name="api-password-reset"),
    path(
        "auth/password-reset/confirm/", PasswordResetConfirmView.as_view(), name="api-password-reset-confirm"
    ),
    path("me/", MeView.as_view(), name="api-me"),
    path("me/password/", PasswordChangeView.as_view(), name="api-me-password"),
    path("audit-log/", AuditLogView.as_view(), name="api-audit-log"),
    path("desk/duty/", DeskDutyView.as_view(), name="api-desk-duty"),
    path("desk/duty/changes/", DeskDutyPlanView.as_view(), name="api-desk-duty-changes"),
    path("monitoring-grants/", MonitoringGrantListView.as_view(), name="api-monitoring-grant-list"),
    path(
        "monitoring-grants/<str:pk>/revoke/",
        MonitoringGrantRevokeView.as_view(),
        name="api-monitoring-grant-revoke",
    ),
    *router.urls,
]
