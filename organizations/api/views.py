"""Who am I, app tokens, and the institution admin's organization endpoints (regions, units,
people) — the same services and the same package gating as the web pages."""

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations import selectors
from organizations.contracts import contract_data
from organizations.roles import Role
from organizations.services import (
    person_add,
    person_deactivate,
    person_move,
    person_reactivate,
    person_set_role,
    region_create,
    region_rename,
    unit_create,
    unit_rename,
)
from slaportal.api.errors import DomainError, error_responses
from slaportal.api.pagination import PersonCursorPagination
from slaportal.api.services import api_token_issue, api_token_revoke
from slaportal.api.throttles import LoginThrottle

from .filters import PersonFilter
from .serializers import (
    MeSerializer,
    NameChangeSerializer,
    PersonCreateSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    RegionSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UnitCreateSerializer,
    UnitQuerySerializer,
    UnitSerializer,
)
from .tenancy import InstitutionAdminMixin


class TokenView(APIView):
    """POST: exchange a username and password for the app token. DELETE: revoke it."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        if self.request.method == "POST":
            return [LoginThrottle(), *super().get_throttles()]
        return super().get_throttles()

    @extend_schema(
        operation_id="auth_token_create",
        summary="Get the app token",
        description=(
            "Exchanges a username and password for the person's token. Wrong passwords count towards "
            "django-axes' lockout (five per username and address lock it for fifteen minutes: 429 "
            "`locked_out`), and the endpoint is throttled per address. A deactivated person gets no token. "
            "People of an institution with its own directory sign in as `name@domain` with their directory "
            "password: 403 `directory_sign_in_refused` when the directory gives them no role or the user "
            "cap is reached, 503 `directory_unavailable` when the directory does not answer."
        ),
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, **error_responses(400, 403, 503)},
        auth=[],
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        django_request = request._request
        person = authenticate(
            request=django_request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if person is None:
            if getattr(django_request, "axes_locked_out", False):
                # Answer in the API's own shape instead of axes' page.
                django_request.axes_locked_out = False
                raise DomainError(
                    status_code=429,
                    code="locked_out",
                    message=_("Too many failed logins. Try again in fifteen minutes or reset your password."),
                )
            # The institution's directory refused (no group, the user cap) or did not answer.
            if (refusal := getattr(django_request, "directory_error", None)) is not None:
                raise DomainError(
                    status_code=refusal.status_code, code=refusal.code, message=refusal.message()
                )
            raise DomainError(
                status_code=400,
                code="invalid_credentials",
                message=_("The username or password is not correct."),
            )
        token = api_token_issue(actor=person)
        return Response({"token": token.key})

    @extend_schema(
        operation_id="auth_token_destroy",
        summary="Revoke the app token",
        description="Deletes the caller's token: every device signed in with it is signed out.",
        request=None,
        responses={204: OpenApiResponse(description="Revoked."), **error_responses()},
    )
    def delete(self, request):
        api_token_revoke(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(
        operation_id="me_retrieve",
        summary="Who am I",
        description=(
            "The person, role, institution, place in the tree, and the contract in force with each "
            "channel's allotment, use and remainder (`null` where unlimited)."
        ),
        responses={200: MeSerializer, **error_responses()},
    )
    def get(self, request):
        person = request.user
        subscription = None if person.institution_id is None else contract_data(person.institution)
        data = {
            "id": person.pk,
            "username": person.username,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "role": person.role or None,
            "institution": person.institution,
            "region": person.region,
            "unit": person.unit,
            "subscription": subscription,
        }
        return Response(MeSerializer(data).data)


ORG_ERRORS = (403, 404)


class _TreeViewSet(InstitutionAdminMixin, viewsets.GenericViewSet):
    """Regions and units: the whole list in one answer, on packages with region management."""

    lookup_value_regex = "[^/]+"
    needs_region_management = True
    pagination_class = None
    filter_backends = []


@extend_schema_view(
    list=extend_schema(
        summary="Regions of my institution",
        description="Institution admins, on packages with region-based management (Premium, Premium+).",
        responses={200: RegionSerializer(many=True), **error_responses(*ORG_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One region", responses={200: RegionSerializer, **error_responses(*ORG_ERRORS)}
    ),
    create=extend_schema(
        summary="Create a region",
        request=RegionSerializer,
        responses={201: RegionSerializer, **error_responses(400, *ORG_ERRORS, 422)},
    ),
    partial_update=extend_schema(
        summary="Rename a region",
        description="A name another region of the institution has is 422.",
        request=NameChangeSerializer,
        responses={200: RegionSerializer, **error_responses(400, *ORG_ERRORS, 422)},
    ),
)
class RegionViewSet(_TreeViewSet):
    serializer_class = RegionSerializer

    def get_queryset(self):
        return selectors.region_list(institution=self.get_institution())

    def list(self, request):
        return Response(RegionSerializer(self.get_queryset(), many=True).data)

    def retrieve(self, request, pk):
        return Response(RegionSerializer(self.lookup(selectors.region_get, pk)).data)

    def create(self, request):
        serializer = RegionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        region = region_create(
            actor=request.user, institution=self.get_institution(), name=serializer.validated_data["name"]
        )
        return Response(RegionSerializer(region).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk):
        region = self.lookup(selectors.region_get, pk)
        serializer = NameChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        region = region_rename(actor=request.user, region=region, name=serializer.validated_data["name"])
        return Response(RegionSerializer(region).data)


@extend_schema_view(
    list=extend_schema(
        summary="Units of my institution",
        description="Institution admins, on packages with region-based management (Premium, Premium+).",
        parameters=[UnitQuerySerializer],
        responses={200: UnitSerializer(many=True), **error_responses(400, *ORG_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One unit", responses={200: UnitSerializer, **error_responses(*ORG_ERRORS)}
    ),
    create=extend_schema(
        summary="Create a unit in a region",
        request=UnitCreateSerializer,
        responses={201: UnitSerializer, **error_responses(400, *ORG_ERRORS, 422)},
    ),
    partial_update=extend_schema(
        summary="Rename a unit",
        description="A name another unit of the region has is 422.",
        request=NameChangeSerializer,
        responses={200: UnitSerializer, **error_responses(400, *ORG_ERRORS, 422)},
    ),
)
class UnitViewSet(_TreeViewSet):
    serializer_class = UnitSerializer

    def get_queryset(self):
        return selectors.unit_list(institution=self.get_institution())

    def list(self, request):
        query = UnitQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        units = self.get_queryset()
        if query.validated_data.get("region"):
            units = units.filter(region_id=query.validated_data["region"])
        return Response(UnitSerializer(units, many=True).data)

    def retrieve(self, request, pk):
        return Response(UnitSerializer(self.lookup(selectors.unit_get, pk)).data)

    def create(self, request):
        serializer = UnitCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        region = selectors.region_get(
            institution=self.get_institution(), pk=serializer.validated_data["region"]
        )
        if region is None:
            raise ValidationError({"region": [_("Choose a region of this institution.")]})
        unit = unit_create(
            actor=request.user,
            institution=self.get_institution(),
            region=region,
            name=serializer.validated_data["name"],
        )
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk):
        unit = self.lookup(selectors.unit_get, pk)
        serializer = NameChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit = unit_rename(actor=request.user, unit=unit, name=serializer.validated_data["name"])
        return Response(UnitSerializer(unit).data)


@extend_schema_view(
    list=extend_schema(
        summary="People of my institution",
        description="Institution admins. Cursor-paginated, by username.",
        responses={200: PersonSerializer(many=True), **error_responses(400, *ORG_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One person", responses={200: PersonSerializer, **error_responses(*ORG_ERRORS)}
    ),
    create=extend_schema(
        summary="Add a person",
        description=(
            "Takes a place under the contract's user cap (409 `user_cap_reached` when all are taken). "
            "Placing the person in a unit or region needs region-based management (403 `feature_locked`)."
        ),
        request=PersonCreateSerializer,
        responses={201: PersonSerializer, **error_responses(400, *ORG_ERRORS, 409, 422)},
    ),
    partial_update=extend_schema(
        summary="Change a person's role or place",
        request=PersonUpdateSerializer,
        responses={200: PersonSerializer, **error_responses(400, *ORG_ERRORS, 422)},
    ),
    deactivate=extend_schema(
        summary="Deactivate a person",
        description="The person loses access at once (their app token is deleted) and frees a place.",
        request=None,
        responses={200: PersonSerializer, **error_responses(*ORG_ERRORS, 422)},
    ),
    reactivate=extend_schema(
        summary="Reactivate a person",
        description="Takes a place under the user cap again (409 `user_cap_reached` when all are taken).",
        request=None,
        responses={200: PersonSerializer, **error_responses(*ORG_ERRORS, 409, 422)},
    ),
)
class PersonViewSet(InstitutionAdminMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PersonSerializer
    lookup_value_regex = "[^/]+"
    pagination_class = PersonCursorPagination
    filterset_class = PersonFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.person_list_for_institution(institution=self.get_institution())

    def _get(self, pk):
        return self.lookup(selectors.person_get, pk)

    def _place(self, data: dict) -> dict:
        """Unit and region ids of the request as objects of this institution."""
        place = {}
        institution = self.get_institution()
        if data.get("unit") is not None:
            place["unit"] = selectors.unit_get(institution=institution, pk=data["unit"])
            if place["unit"] is None:
                raise ValidationError({"unit": [_("Choose a unit of this institution.")]})
        if data.get("region") is not None:
            place["region"] = selectors.region_get(institution=institution, pk=data["region"])
            if place["region"] is None:
                raise ValidationError({"region": [_("Choose a region of this institution.")]})
        return place

    def retrieve(self, request, pk):
        return Response(PersonSerializer(self._get(pk)).data)

    def create(self, request):
        serializer = PersonCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = person_add(
            actor=request.user,
            institution=self.get_institution(),
            username=data["username"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=Role(data["role"]),
            password=data.get("password"),
            **self._place(data),
        )
        return Response(PersonSerializer(self._get(person.pk)).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk):
        person = self._get(pk)
        serializer = PersonUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            if "role" in data:
                person_set_role(actor=request.user, person=person, role=Role(data["role"]))
            if "unit" in data or "region" in data:
                place = self._place(data)
                person_move(
                    actor=request.user, person=person, unit=place.get("unit"), region=place.get("region")
                )
        return Response(PersonSerializer(self._get(pk)).data)

    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk):
        person = self._get(pk)
        person_deactivate(actor=request.user, person=person)
        return Response(PersonSerializer(self._get(pk)).data)

    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk):
        person = self._get(pk)
        person_reactivate(actor=request.user, person=person)
        return Response(PersonSerializer(self._get(pk)).data)
