"""The development unit's items for the apps: the queue (vendor side: the development unit and
vendor staff), one item with its linked tickets, changes along the item's life, merging. Reads go
through tickets.development (the *_all_institutions reads: an item gathers every institution's
reports), writes through tickets.services, which check the role and keep the history."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from organizations.permissions import works_development
from slaportal.api.errors import error_responses
from slaportal.api.tenancy import object_id
from tickets.development import (
    development_item_get_all_institutions,
    development_item_list_all_institutions,
    development_item_packages,
    development_item_tickets_all_institutions,
)
from tickets.models import DevelopmentItem
from tickets.selectors import product_list
from tickets.services import development_item_create, development_item_merge, development_item_update

from .serializers import DevelopmentItemUpdateSerializer, ProductRefSerializer

ITEM_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A development item's id."
)
VENDOR_ONLY = " The development unit and vendor staff only (403 for everyone else)."


class LinkedTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.IntegerField()
    institution = serializers.CharField(source="institution.name")
    package = serializers.CharField(source="subscription.package.name")
    created_at = serializers.DateTimeField()


class DevelopmentItemVendorSerializer(serializers.ModelSerializer):
    """The whole item, for the vendor side."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)
    product = ProductRefSerializer(read_only=True, allow_null=True)
    best_priority = serializers.IntegerField(read_only=True, allow_null=True, default=None)
    ticket_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = DevelopmentItem
        fields = [
            "id",
            "product",
            "kind",
            "title",
            "public_note",
            "state",
            "state_label",
            "declined_reason",
            "planned_version",
            "planned_on",
            "released_version",
            "planned_at",
            "released_at",
            "institutions_reporting",
            "ticket_count",
            "best_priority",
            "merged_into",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DevelopmentItemDetailSerializer(DevelopmentItemVendorSerializer):
    tickets = serializers.SerializerMethodField()
    packages = serializers.SerializerMethodField()

    class Meta(DevelopmentItemVendorSerializer.Meta):
        fields = [*DevelopmentItemVendorSerializer.Meta.fields, "packages", "tickets"]
        read_only_fields = fields

    def get_tickets(self, item) -> list[dict]:
        tickets = development_item_tickets_all_institutions(person=self.context["request"].user, item=item)
        return LinkedTicketSerializer(tickets, many=True).data

    def get_packages(self, item) -> list[dict]:
        return [
            {
                "code": row["subscription__package__code"],
                "name": row["subscription__package__name"],
                "priority": row["priority"],
                "tickets": row["tickets"],
                "institutions": row["institutions"],
            }
            for row in development_item_packages(item=item)
        ]


class DevelopmentItemCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=DevelopmentItem.Kind.choices, default=DevelopmentItem.Kind.DEFECT)
    product = serializers.SlugField(required=False, allow_blank=True, help_text="A product code.")
    public_note = serializers.CharField(required=False, allow_blank=True, default="")


class DevelopmentItemQuerySerializer(serializers.Serializer):
    product = serializers.SlugField(required=False, help_text="A product code.")
    state = serializers.ChoiceField(choices=DevelopmentItem.State.choices, required=False)
    q = serializers.CharField(required=False, help_text="Words of the title or public note, or #id.")
    package = serializers.SlugField(required=False, help_text="A reporting ticket's package code.")
    order = serializers.ChoiceField(choices=["priority", "institutions", "newest"], required=False)


class MergeSerializer(serializers.Serializer):
    into = serializers.IntegerField(min_value=1, help_text="The item that remains.")


@extend_schema_view(
    list=extend_schema(
        summary="The development queue",
        description="Items not merged away, by package priority and reporting institutions." + VENDOR_ONLY,
        parameters=[DevelopmentItemQuerySerializer],
        responses={200: DevelopmentItemVendorSerializer(many=True), **error_responses(400, 403)},
    ),
    create=extend_schema(
        summary="Open a development item",
        description="A new item, received, without linked tickets." + VENDOR_ONLY,
        request=DevelopmentItemCreateSerializer,
        responses={201: DevelopmentItemDetailSerializer, **error_responses(400, 403, 422)},
    ),
    retrieve=extend_schema(
        summary="A development item",
        description="With its linked tickets and the packages that reported it." + VENDOR_ONLY,
        parameters=[ITEM_ID],
        responses={200: DevelopmentItemDetailSerializer, **error_responses(403, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a development item",
        description=(
            "State along the item's life (declining needs `declined_reason`), plan date and versions, "
            "public note. A change of state, plan date or version tells every linked ticket's "
            "requester and the people it is shared with, once." + VENDOR_ONLY
        ),
        parameters=[ITEM_ID],
        request=DevelopmentItemUpdateSerializer,
        responses={200: DevelopmentItemDetailSerializer, **error_responses(400, 403, 404, 409, 422)},
    ),
)
class DevelopmentItemViewSet(GenericViewSet):
    serializer_class = DevelopmentItemVendorSerializer
    pagination_class = None
    filter_backends = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not works_development(request.user):
            raise PermissionDenied(_("Only the development unit and vendor staff can do this."))

    def get_queryset(self):
        return development_item_list_all_institutions(person=self.request.user)

    def _item(self, pk) -> DevelopmentItem:
        item = development_item_get_all_institutions(person=self.request.user, pk=object_id(pk))
        if item is None:
            raise NotFound(_("Not found."))
        return item

    def _detail(self, pk, code=status.HTTP_200_OK) -> Response:
        return Response(
            DevelopmentItemDetailSerializer(self._item(pk), context={"request": self.request}).data,
            status=code,
        )

    def list(self, request):
        query = DevelopmentItemQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        items = development_item_list_all_institutions(person=request.user, **query.validated_data)
        return Response(DevelopmentItemVendorSerializer(items[:500], many=True).data)

    def create(self, request):
        serializer = DevelopmentItemCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        code = data.pop("product", "")
        product = next((p for p in product_list() if p.code == code), None) if code else None
        if code and product is None:
            raise serializers.ValidationError({"product": [_("Unknown product.")]})
        item = development_item_create(actor=request.user, product=product, **data)
        return self._detail(item.pk, status.HTTP_201_CREATED)

    def retrieve(self, request, pk):
        return self._detail(pk)

    def partial_update(self, request, pk):
        item = self._item(pk)
        serializer = DevelopmentItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        development_item_update(actor=request.user, item=item, **serializer.validated_data)
        return self._detail(pk)

    @extend_schema(
        summary="Merge into another item",
        description="The item's tickets move to `into`; their customers are told once." + VENDOR_ONLY,
        parameters=[ITEM_ID],
        request=MergeSerializer,
        responses={200: DevelopmentItemDetailSerializer, **error_responses(400, 403, 404, 422)},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk):
        item = self._item(pk)
        serializer = MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        into = self._item(serializer.validated_data["into"])
        into = development_item_merge(actor=request.user, item=item, into=into)
        return self._detail(into.pk)
