from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any path under /api/v1/ that names no endpoint: the API's JSON 404, not the web's page."""

    permission_classes = [AllowAny]
    throttle_classes = []

    def handle(self, request, *args, **kwargs):
        raise NotFound(_("Not found."))

    get = post = put = patch = delete = head = options = handle
