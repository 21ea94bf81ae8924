from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny

from packages.selectors import package_list
from slaportal.api.errors import error_responses

from .serializers import PackageSerializer


@extend_schema(
    summary="The package catalogue",
    description="Public: the packages on sale and their terms.",
    auth=[],
    responses={200: PackageSerializer(many=True), **error_responses(public=True)},
)
class PackageListView(generics.ListAPIView):
    serializer_class = PackageSerializer
    permission_classes = [AllowAny]
    authentication_classes = []
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return package_list(on_sale_only=True)
