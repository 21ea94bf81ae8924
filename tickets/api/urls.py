from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import QueueView, TicketViewSet

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="api-ticket")

urlpatterns = [
    path("queue/", QueueView.as_view(), name="api-queue"),
    *router.urls,
]
