from rest_framework.routers import SimpleRouter

from .views import OnboardingViewSet, OnsiteRequestViewSet, WorkshopViewSet

router = SimpleRouter()
router.register("workshops", WorkshopViewSet, basename="api-workshop")
router.register("onsite-requests", OnsiteRequestViewSet, basename="api-onsite-request")
router.register("onboarding", OnboardingViewSet, basename="api-onboarding")

urlpatterns = router.urls
