"""Trainings and the library for the apps. Access is decided once per request from the person's
contract (learning.access); registrations go through learning.services."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from learning import selectors, services
from learning.access import library_access, training_access
from learning.errors import TrainingError
from learning.ical import calendar_bytes
from learning.models import LibraryItem
from learning.streaming import recording_response
from learning.uploads import LIBRARY_CONTENT_TYPES, RECORDING_CONTENT_TYPES
from learning.views import library_download_response
from organizations.permissions import require_role
from organizations.roles import Role
from slaportal.api.errors import DomainError, error_responses
from slaportal.api.media import FILE_AUTHENTICATION, range_checked

from .serializers import LibraryItemSerializer, RegistrationSerializer, TrainingSerializer, WaitingSerializer

OBJECT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The object's id.")


class TrainingPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("starts_at", "id")


class LibraryPagination(TrainingPagination):
    ordering = ("-created_at", "-id")


def _int_or_none(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


class _TrainingMixin:
    pagination_class = None
    filter_backends = []

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "access": self.access, "now": timezone.now()}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.access = training_access(person=request.user)

    def get_training(self):
        training = selectors.training_get_for(access=self.access, pk=_int_or_none(self.kwargs["id"]) or 0)
        if training is None:
            raise Http404
        return training


@extend_schema(
    summary="Training sessions",
    description=(
        "The published sessions, soonest first (`past`: latest first). Customer side with a contract in "
        "force; after the contract has ended, past sessions only for 30 days; 403 otherwise. Cursor-paginated "
        "(404 for a cursor that is not one)."
    ),
    parameters=[
        OpenApiParameter("upcoming", OpenApiTypes.BOOL, description="Only sessions that have not ended."),
        OpenApiParameter("past", OpenApiTypes.BOOL, description="Only sessions that have ended."),
        OpenApiParameter("product", OpenApiTypes.INT, description="A product's id."),
    ],
    responses={200: TrainingSerializer(many=True), **error_responses(403, 404)},
)
class TrainingListView(_TrainingMixin, GenericAPIView):
    serializer_class = TrainingSerializer
    pagination_class = TrainingPagination

    def get(self, request):
        params = request.query_params
        when = "upcoming" if params.get("upcoming") in ("1", "true") else None
        if params.get("past") in ("1", "true"):
            when = "past"
            self.paginator.ordering = ("-starts_at", "-id")
        queryset = selectors.training_list_for(
            access=self.access, product_id=_int_or_none(params.get("product")), when=when
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(
    summary="One training session",
    parameters=[OBJECT_ID],
    responses={200: TrainingSerializer, **error_responses(403, 404)},
)
class TrainingDetailView(_TrainingMixin, GenericAPIView):
    serializer_class = TrainingSerializer

    def get(self, request, **kwargs):
        return Response(self.get_serializer(self.get_training()).data)


class TrainingRegistrationView(_TrainingMixin, GenericAPIView):
    serializer_class = RegistrationSerializer

    @extend_schema(
        summary="Register for a session",
        description=(
            "Customer side with a contract in force. 201 with the registration (also when already "
            "registered). Online trainings are unlimited in every package: when every place is taken the "
            'person joins the session\'s waiting list, 202 `{"status": "waiting", "position": n}` '
            "(also when already waiting), and is given a seat, with an e-mail, when one frees (first come, "
            "first served). 409 `registration_closed` once the session has started, "
            "`no_active_subscription` without a contract in force."
        ),
        parameters=[OBJECT_ID],
        request=None,
        responses={201: RegistrationSerializer, 202: WaitingSerializer, **error_responses(403, 404, 409)},
    )
    def post(self, request, **kwargs):
        training = self.get_training()
        try:
            registration = services.training_register(actor=request.user, training=training)
        except TrainingError as exc:
            raise DomainError(status_code=409, code=exc.code, message=exc.message()) from exc
        if registration.is_waiting:
            body = {"status": "waiting", "position": selectors.waiting_position(registration=registration)}
            return Response(WaitingSerializer(body).data, status=status.HTTP_202_ACCEPTED)
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Give up a place",
        description=(
            "Also a place on the waiting list; a seat given up goes to the first person waiting. 204 also "
            "when there was no registration; 409 `registration_closed` once the session has started."
        ),
        parameters=[OBJECT_ID],
        request=None,
        responses={
            204: OpenApiResponse(description="Not registered (any more)."),
            **error_responses(403, 404, 409),
        },
    )
    def delete(self, request, **kwargs):
        training = self.get_training()
        try:
            services.training_unregister(actor=request.user, training=training)
        except TrainingError as exc:
            raise DomainError(status_code=409, code=exc.code, message=exc.message()) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class _FileMixin:
    authentication_classes = FILE_AUTHENTICATION

    def perform_content_negotiation(self, request, force=False):
        # The file is whatever type it is; errors are always JSON.
        return super().perform_content_negotiation(request, force=True)


@extend_schema(
    summary="A session's recording",
    description=(
        "The uploaded recording of a session that has ended, streamed with HTTP Range support (206) so a "
        "player seeks, or a redirect to a short-lived signed URL on object storage. Reached through the "
        "signed `recording_stream_url` (no credentials needed) or with the app's token. 404 while there is "
        "no uploaded recording or the session has not ended."
    ),
    parameters=[OBJECT_ID],
    responses={
        **{
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The whole recording.")
            for content_type in RECORDING_CONTENT_TYPES
        },
        **{
            (206, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The range asked for.")
            for content_type in RECORDING_CONTENT_TYPES
        },
        302: OpenApiResponse(description="A signed URL on object storage."),
        **error_responses(403, 404, 416),
    },
)
class TrainingRecordingView(_FileMixin, _TrainingMixin, GenericAPIView):
    def get(self, request, **kwargs):
        training = self.get_training()
        if not training.recording_file or training.ends_at > timezone.now():
            raise Http404
        return range_checked(recording_response(request, training))


@extend_schema(
    summary="A session as an .ics file",
    description="One VEVENT a calendar app imports. Reached through the signed `ics_url` or with the app's token.",
    parameters=[OBJECT_ID],
    responses={
        (200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY, description="The calendar file."),
        **error_responses(403, 404),
    },
)
class TrainingIcsView(_FileMixin, _TrainingMixin, GenericAPIView):
    def get(self, request, **kwargs):
        training = self.get_training()
        response = HttpResponse(
            calendar_bytes([training], name=training.title), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="training-{training.pk}.ics"'
        return response


class _LibraryMixin:
    serializer_class = LibraryItemSerializer
    filter_backends = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.access = library_access(person=request.user)


@extend_schema(
    summary="The library",
    description=(
        "Help documents, videos and project documents / data sets, newest first. `search` is full-text "
        "(Turkish stemming on PostgreSQL). Customer side with a contract in force; 403 otherwise. "
        "Cursor-paginated (404 for a cursor that is not one)."
    ),
    parameters=[
        OpenApiParameter("search", OpenApiTypes.STR),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=LibraryItem.Kind.values),
        OpenApiParameter("product", OpenApiTypes.INT, description="A product's id."),
    ],
    responses={200: LibraryItemSerializer(many=True), **error_responses(403, 404)},
)
class LibraryListView(_LibraryMixin, GenericAPIView):
    pagination_class = LibraryPagination

    def get(self, request):
        params = request.query_params
        kind = params.get("kind", "")
        queryset = selectors.library_item_list_for(
            access=self.access,
            search=params.get("search", "")[:200],
            kind=kind if kind in LibraryItem.Kind.values else "",
            product_id=_int_or_none(params.get("product")),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(
    summary="One library item",
    parameters=[OBJECT_ID],
    responses={200: LibraryItemSerializer, **error_responses(403, 404)},
)
class LibraryDetailView(_LibraryMixin, GenericAPIView):
    pagination_class = None

    def get(self, request, **kwargs):
        item = selectors.library_item_get_for(access=self.access, pk=_int_or_none(kwargs["id"]) or 0)
        if item is None:
            raise Http404
        return Response(self.get_serializer(item).data)


@extend_schema(
    summary="Download a library file",
    description=(
        "The item's file (`file`: a file id from the item's `files`, any version; by default the newest "
        "version of its first file), streamed with Content-Disposition and HTTP Range support (206), or a "
        "redirect to a short-lived signed URL on object storage, or to the item's external link. Each "
        "download is counted per person and item."
    ),
    parameters=[OBJECT_ID, OpenApiParameter("file", OpenApiTypes.INT)],
    responses={
        **{
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The whole file.")
            for content_type in LIBRARY_CONTENT_TYPES
        },
        **{
            (206, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The range asked for.")
            for content_type in LIBRARY_CONTENT_TYPES
        },
        302: OpenApiResponse(description="A signed URL or the external link."),
        **error_responses(403, 404, 416),
    },
)
class LibraryDownloadView(_FileMixin, _LibraryMixin, GenericAPIView):
    pagination_class = None

    def get(self, request, **kwargs):
        return range_checked(library_download_response(request, item_id=_int_or_none(kwargs["id"]) or 0))


class AttendanceRowSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.SerializerMethodField()
    institution = serializers.CharField(source="institution.name")
    attended = serializers.SerializerMethodField()

    def get_name(self, registration) -> str:
        return registration.person.get_full_name() or registration.person.username

    def get_attended(self, registration) -> bool:
        return registration.attended_at is not None


class AttendanceChangeSerializer(serializers.Serializer):
    people = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=True,
        help_text="The ids of the registered people who attended; the others are marked as not.",
    )


class AttendanceResultSerializer(serializers.Serializer):
    attended = serializers.IntegerField(help_text="How many of the session's people are marked as attended.")


class TrainingAttendanceView(GenericAPIView):
    """Package managers record who attended a session, as on `/learning/trainings/{id}/attendance/`."""

    serializer_class = AttendanceRowSerializer
    pagination_class = None
    filter_backends = []

    def get_training(self):
        require_role(self.request.user, Role.PACKAGE_MANAGER)
        training = selectors.training_get_all_institutions(pk=_int_or_none(self.kwargs["id"]) or 0)
        if training is None:
            raise Http404
        return training

    @extend_schema(
        summary="Who registered and who attended",
        parameters=[OBJECT_ID],
        responses={200: AttendanceRowSerializer(many=True), **error_responses(403, 404)},
    )
    def get(self, request, **kwargs):
        training = self.get_training()
        rows = selectors.registration_list_for_training_all_institutions(training=training)
        return Response(AttendanceRowSerializer(rows, many=True).data)

    @extend_schema(
        summary="Record attendance",
        description="Once the session has started (422 before). Sending the same list again changes nothing.",
        parameters=[OBJECT_ID],
        request=AttendanceChangeSerializer,
        responses={200: AttendanceResultSerializer, **error_responses(400, 403, 404, 422)},
    )
    def post(self, request, **kwargs):
        training = self.get_training()
        serializer = AttendanceChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attended = services.training_attendance_record(
            actor=request.user, training=training, person_ids=serializer.validated_data["people"]
        )
        return Response({"attended": attended})


class FeedSerializer(serializers.Serializer):
    url = serializers.URLField(
        allow_null=True, help_text="The private address calendars subscribe to; null before one is made."
    )


class TrainingFeedView(GenericAPIView):
    """The person's private training calendar feed (the sessions they registered for)."""

    serializer_class = FeedSerializer
    pagination_class = None
    filter_backends = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        training_access(person=request.user)
        if request.user.is_vendor_staff:
            raise PermissionDenied(_("Only people of a customer institution have a training feed."))

    def _url(self, feed) -> str | None:
        return self.request.build_absolute_uri(reverse("learning-feed", args=[feed.token])) if feed else None

    @extend_schema(
        summary="My training calendar feed",
        responses={200: FeedSerializer, **error_responses(403)},
    )
    def get(self, request):
        return Response({"url": self._url(selectors.feed_get(person=request.user))})

    @extend_schema(
        summary="Make or renew my training calendar feed",
        description="201 with the first address; 200 with a new one, after which the old address no longer works.",
        request=None,
        responses={200: FeedSerializer, 201: FeedSerializer, **error_responses(403)},
    )
    def post(self, request):
        if selectors.feed_get(person=request.user) is None:
            feed, code = services.feed_get_or_create(actor=request.user), status.HTTP_201_CREATED
        else:
            feed, code = services.feed_reset(actor=request.user), status.HTTP_200_OK
        return Response({"url": self._url(feed)}, status=code)
