from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import MeView, PersonViewSet, RegionViewSet, TokenView, UnitViewSet

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="api-region")
router.register("units", UnitViewSet, basename="api-unit")
router.register("people", PersonViewSet, basename="api-person")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-auth-token"),
    path("me/", MeView.as_view(), name="api-me"),
    *router.urls,
]
