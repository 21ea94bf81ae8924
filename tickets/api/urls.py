from django.urls import path
from rest_framework.routers import SimpleRouter

from .development import DevelopmentItemViewSet
from .forecast import DeskForecastView
from .macros import MacroViewSet
from .sharing import TicketShareDetailView, TicketShareListView
from .views import QueueView, TicketViewSet

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="api-ticket")
router.register("development-items", DevelopmentItemViewSet, basename="api-development-item")
router.register("macros", MacroViewSet, basename="api-macro")

urlpatterns = [
    path("queue/", QueueView.as_view(), name="api-queue"),
    path("desk/forecast/", DeskForecastView.as_view(), name="api-desk-forecast"),
    path("tickets/<str:pk>/shares/", TicketShareListView.as_view(), name="api-ticket-share-list"),
    path(
        "tickets/<str:pk>/shares/<str:share_id>/",
        TicketShareDetailView.as_view(),
        name="api-ticket-share-detail",
    ),
    *router.urls,
]
