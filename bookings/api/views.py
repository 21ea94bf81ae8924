"""Workshops, on-site requests and onboarding items for the mobile apps: the institution admin
requests, lists, cancels and answers quotes; vendor staff schedule, decline, quote and confirm.
Every object is reached through the bookings selectors with the requesting person, so another
institution's id is the same 404 as a missing one."""

from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from bookings import selectors, services
from bookings.documents import quote_pdf
from bookings.machine import VENDOR, machine_for
from bookings.permissions import is_booking_staff, is_vendor_staff, require_workshops
from organizations.roles import Role
from organizations.selectors import institution_get
from slaportal.api.errors import error_responses
from slaportal.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from slaportal.api.media import FILE_AUTHENTICATION
from slaportal.api.pagination import TicketCursorPagination
from slaportal.api.tenancy import object_id
from tickets.selectors import product_list

from .serializers import (
    OnboardingCompleteSerializer,
    OnboardingCreateSerializer,
    OnboardingItemSerializer,
    OnboardingScheduleSerializer,
    OnsiteCompleteSerializer,
    OnsiteConfirmSerializer,
    OnsiteCreateSerializer,
    OnsiteQuoteSerializer,
    OnsiteRequestSerializer,
    OptionalReasonSerializer,
    ReasonSerializer,
    WorkshopCreateSerializer,
    WorkshopParticipantsSerializer,
    WorkshopScheduleSerializer,
    WorkshopSerializer,
)

BOOKING_ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


class PdfRenderer(BaseRenderer):
    """Lets a client ask for the quote with Accept: application/pdf; errors stay JSON."""

    media_type = "application/pdf"
    format = "pdf"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


VENDOR_ONLY = " Vendor staff who take bookings (package managers, desk leads) only."


class BookingViewSet(GenericViewSet):
    """The institution admin and vendor staff only; anyone else is refused before any lookup."""

    lookup_value_regex = "[^/]+"
    pagination_class = TicketCursorPagination
    filter_backends = []
    getter = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        person = request.user
        if not (is_vendor_staff(person) or (person.is_active and person.role == Role.INSTITUTION_ADMIN)):
            raise PermissionDenied(_("Only the institution's admin and vendor staff can do this."))

    def booking(self, pk):
        found = type(self).getter(person=self.request.user, pk=object_id(pk))
        if found is None:
            raise NotFound(_("Not found."))
        return found

    def vendor_person(self, pk, field: str):
        person = selectors.vendor_person_list().filter(pk=pk).first()
        if person is None:
            raise ValidationError({field: [_("Choose an active member of the vendor staff.")]})
        return person

    def transition(
        self, request, pk, action: str, input_class=None, people: tuple[str, ...] = ()
    ) -> Response:
        """Take `action` on the booking as its kind's table says: the input validated by
        `input_class`, the vendor people it names (`people`) resolved, the engine run, the booking
        answered. The table's side decides who may (vendor-only actions refuse others before any
        input is read)."""
        booking = self.booking(pk)
        if machine_for(booking).side(action) == VENDOR and not is_booking_staff(request.user):
            raise PermissionDenied(_("Only vendor staff who take bookings can do this."))
        data = {}
        if input_class is not None:
            serializer = input_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        for field in people:
            data[field] = self.vendor_person(data[field], field)
        booking = services.booking_act(actor=request.user, booking=booking, action=action, **data)
        return self.answer(self.serializer_class, self.booking(booking.pk))

    def answer(self, serializer_class, obj, status_code=status.HTTP_200_OK) -> Response:
        return Response(serializer_class(obj, context={"request": self.request}).data, status=status_code)

    def page(self, queryset, serializer_class) -> Response:
        items = self.paginate_queryset(queryset)
        return self.get_paginated_response(
            serializer_class(items, many=True, context={"request": self.request}).data
        )


@extend_schema_view(
    list=extend_schema(
        summary="Workshops",
        description=(
            "The institution admin: the institution's workshops (403 `feature_locked` with `packages` on a "
            "contract without workshops); vendor staff: every institution's. Newest first, cursor-paginated "
            "(404 for a cursor that is not one)."
        ),
        responses={200: WorkshopSerializer(many=True), **error_responses(400, 403, 404)},
    ),
    create=extend_schema(
        summary="Request a workshop",
        description=(
            "The institution admin asks for a two-hour online workshop on 2–3 preferred dates. Nothing is "
            "drawn until vendor staff schedule it; with no workshop left: 409 `quota_exhausted` with "
            "`renews_on`; without workshops in the package: 403 `feature_locked` with `packages`."
        ),
        parameters=[IDEMPOTENCY_PARAMETER],
        request=WorkshopCreateSerializer,
        responses={201: WorkshopSerializer, **error_responses(400, 403, 409, 422)},
    ),
    retrieve=extend_schema(
        summary="One workshop",
        parameters=[BOOKING_ID],
        responses={200: WorkshopSerializer, **error_responses(403, 404)},
    ),
)
class WorkshopViewSet(BookingViewSet):
    serializer_class = WorkshopSerializer
    getter = staticmethod(selectors.workshop_get_for)

    def get_queryset(self):
        return selectors.workshop_list_for(person=self.request.user)

    def _lock_check(self):
        if not is_vendor_staff(self.request.user):
            require_workshops(self.request.user.institution)

    def list(self, request):
        self._lock_check()
        return self.page(self.get_queryset().order_by("-created_at", "-id"), WorkshopSerializer)

    @idempotent
    def create(self, request):
        serializer = WorkshopCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product = None
        if data.get("product"):
            product = product_list().filter(code=data["product"]).first()
            if product is None:
                raise ValidationError({"product": [_("Unknown product.")]})
        workshop = services.workshop_request(
            actor=request.user,
            topic=data["topic"],
            product=product,
            preferred_dates=data["preferred_dates"],
            participants=data["participants"],
        )
        return self.answer(WorkshopSerializer, workshop, status.HTTP_201_CREATED)

    def retrieve(self, request, pk):
        return self.answer(WorkshopSerializer, self.booking(pk))

    @extend_schema(
        summary="Cancel a workshop",
        description=(
            "By the institution admin or vendor staff. A scheduled workshop gives its unit back (a reversing "
            "ledger entry; `unit_returned` true) when the vendor cancels, or when the institution cancels "
            "more than 48 hours before the start; later it stays used. 409 `invalid_transition` once held, "
            "declined or cancelled."
        ),
        parameters=[BOOKING_ID],
        request=OptionalReasonSerializer,
        responses={200: WorkshopSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def cancel(self, request, pk):
        return self.transition(request, pk, "cancel", OptionalReasonSerializer)

    @extend_schema(
        summary="Schedule a workshop",
        description=(
            "Fixes the start (2 hours), the trainer and the meeting link, and draws one workshop unit (409 "
            "`quota_exhausted` when none is left). A trainer already booked for overlapping times: 422 with "
            "`fields.trainer`." + VENDOR_ONLY
        ),
        parameters=[BOOKING_ID],
        request=WorkshopScheduleSerializer,
        responses={200: WorkshopSerializer, **error_responses(400, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def schedule(self, request, pk):
        return self.transition(request, pk, "schedule", WorkshopScheduleSerializer, people=("trainer",))

    @extend_schema(
        summary="Decline a workshop request",
        description="With the reason the institution will read; nothing was drawn." + VENDOR_ONLY,
        parameters=[BOOKING_ID],
        request=ReasonSerializer,
        responses={200: WorkshopSerializer, **error_responses(400, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def decline(self, request, pk):
        return self.transition(request, pk, "decline", ReasonSerializer)

    @extend_schema(
        summary="Record who joined a held workshop",
        description=(
            "`people`: the ids of the active people of the workshop's institution who joined (anyone else: "
            "422 with `fields.people`); replaces the list given before, and `attended` becomes their number. "
            "409 `invalid_transition` unless the workshop is held. They count as workshops joined in the "
            "institution's performance report." + VENDOR_ONLY
        ),
        parameters=[BOOKING_ID],
        request=WorkshopParticipantsSerializer,
        responses={200: WorkshopSerializer, **error_responses(400, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def participants(self, request, pk):
        return self.transition(request, pk, "participants", WorkshopParticipantsSerializer)


@extend_schema_view(
    list=extend_schema(
        summary="On-site requests",
        description="The institution admin: the institution's; vendor staff: every institution's. Newest first.",
        responses={200: OnsiteRequestSerializer(many=True), **error_responses(400, 403, 404)},
    ),
    create=extend_schema(
        summary="Request on-site days",
        description=(
            "The institution admin asks for days of 6 hours. Premium and Premium+ (`included` true): vendor "
            "staff confirm and the days are drawn from the allotment. More days than remain: 409 "
            '`quota_exhausted` with `remaining` and `requested`; the same request with `"quote_extra": true` '
            "draws the days that remain and asks a quote for the days beyond (`priced_days`), answered like "
            "Standard's. Standard and Professional: vendor staff send a quote to accept or decline."
        ),
        parameters=[IDEMPOTENCY_PARAMETER],
        request=OnsiteCreateSerializer,
        responses={201: OnsiteRequestSerializer, **error_responses(400, 403, 409, 422)},
    ),
    retrieve=extend_schema(
        summary="One on-site request",
        parameters=[BOOKING_ID],
        responses={200: OnsiteRequestSerializer, **error_responses(403, 404)},
    ),
)
class OnsiteRequestViewSet(BookingViewSet):
    serializer_class = OnsiteRequestSerializer
    getter = staticmethod(selectors.onsite_get_for)

    def get_queryset(self):
        return selectors.onsite_list_for(person=self.request.user)

    def list(self, request):
        return self.page(self.get_queryset().order_by("-created_at", "-id"), OnsiteRequestSerializer)

    @idempotent
    def create(self, request):
        serializer = OnsiteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visit = services.onsite_request(actor=request.user, **serializer.validated_data)
        return self.answer(OnsiteRequestSerializer, visit, status.HTTP_201_CREATED)

    def retrieve(self, request, pk):
        return self.answer(OnsiteRequestSerializer, self.booking(pk))

    @extend_schema(
        summary="The quote as PDF",
        description="Day rate × days, VAT, total and validity, in the request's language. 404 until quoted.",
        parameters=[BOOKING_ID],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The quote."),
            **error_responses(403, 404),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="quote-pdf",
        pagination_class=None,
        renderer_classes=[JSONRenderer, PdfRenderer],
        authentication_classes=FILE_AUTHENTICATION,
    )
    def quote_pdf(self, request, pk):
        visit = self.booking(pk)
        if visit.day_rate is None:
            raise NotFound(_("Not found."))
        response = HttpResponse(
            quote_pdf(visit=visit, language=get_language()), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="quote-{visit.pk}.pdf"'
        return response

    @extend_schema(
        summary="Accept a quote",
        description="The institution admin accepts a quote still valid (422 `quote_expired` after its date).",
        parameters=[BOOKING_ID],
        request=None,
        responses={200: OnsiteRequestSerializer, **error_responses(403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def accept(self, request, pk):
        return self.transition(request, pk, "accept")

    @extend_schema(
        summary="Decline a quote",
        description="The institution admin declines the quote; the request ends.",
        parameters=[BOOKING_ID],
        request=None,
        responses={200: OnsiteRequestSerializer, **error_responses(403, 404, 409)},
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def decline(self, request, pk):
        return self.transition(request, pk, "decline")

    @extend_schema(
        summary="Confirm on-site days",
        description=(
            "With the engineer. Premium, Premium+: draws the days from the allotment (409 `quota_exhausted`). "
            "Standard, Professional: schedules an accepted quote, drawing nothing. An engineer already on site "
            "elsewhere on one of the days: 422 with `fields.engineer`." + VENDOR_ONLY
        ),
        parameters=[BOOKING_ID],
        request=OnsiteConfirmSerializer,
        responses={200: OnsiteRequestSerializer, **error_responses(400, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def confirm(self, request, pk):
        return self.transition(request, pk, "confirm", OnsiteConfirmSerializer, people=("engineer",))

    @extend_schema(
        summary="Quote on-site days",
        description=(
            "Standard, Professional: day rate × days plus VAT, valid until a date; the institution admin then "
            "accepts or declines. 409 on a contract that includes days (confirm those)." + VENDOR_ONLY
        ),
        parameters=[BOOKING_ID],
        request=OnsiteQuoteSerializer,
        responses={200: OnsiteRequestSerializer, **error_responses(400, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def quote(self, request, pk):
        return self.transition(request, pk, "quote", OnsiteQuoteSerializer)

    @extend_schema(
        summary="Complete on-site days",
        description="Records that the days took place, with a short report the institution reads."
        + VENDOR_ONLY,
        parameters=[BOOKING_ID],
        request=OnsiteCompleteSerializer,
        responses={200: OnsiteRequestSerializer, **error_responses(400, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def complete(self, request, pk):
        return self.transition(request, pk, "complete", OnsiteCompleteSerializer)

    @extend_schema(
        summary="Cancel on-site days",
        description=(
            "By the institution admin or vendor staff, until the days are completed. Confirmed days drawn from "
            "the allotment come back (reversing ledger entries; `days_returned` says how many) when the vendor "
            "cancels, or when the institution cancels more than 48 hours before the first day begins; later "
            "they stay used (`days_returned` 0). 409 `invalid_transition` once completed, declined or cancelled."
        ),
        parameters=[BOOKING_ID],
        request=OptionalReasonSerializer,
        responses={200: OnsiteRequestSerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], pagination_class=None)
    def cancel(self, request, pk):
        return self.transition(request, pk, "cancel", OptionalReasonSerializer)


@extend_schema_view(
    list=extend_schema(
        summary="Onboarding items",
        description="The welcome service of each product purchase or update, with its state.",
        responses={200: OnboardingItemSerializer(many=True), **error_responses(400, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="One onboarding item",
        parameters=[BOOKING_ID],
        responses={200: OnboardingItemSerializer, **error_responses(403, 404)},
    ),
    create=extend_schema(
        summary="Ask for (or record) a welcome service",
        description=(
            "The institution admin asks for the İlk Karşılama (product introduction and installation) of a "
            "purchase or update; vendor staff who take bookings record one for an `institution`. 201 with "
            "the item, waiting to be scheduled."
        ),
        request=OnboardingCreateSerializer,
        responses={201: OnboardingItemSerializer, **error_responses(400, 403, 422)},
    ),
    schedule=extend_schema(
        summary="Schedule a welcome service",
        description="Set or move its time and engineer." + VENDOR_ONLY,
        parameters=[BOOKING_ID],
        request=OnboardingScheduleSerializer,
        responses={200: OnboardingItemSerializer, **error_responses(400, 403, 404, 409, 422)},
    ),
    complete=extend_schema(
        summary="Complete a welcome service",
        description="Close a scheduled item with an optional note." + VENDOR_ONLY,
        parameters=[BOOKING_ID],
        request=OnboardingCompleteSerializer,
        responses={200: OnboardingItemSerializer, **error_responses(400, 403, 404, 409, 422)},
    ),
)
class OnboardingViewSet(BookingViewSet):
    serializer_class = OnboardingItemSerializer
    getter = staticmethod(selectors.onboarding_get_for)

    def initial(self, request, *args, **kwargs):
        # Everyone at the institution may follow the welcome service, not only its admin.
        GenericViewSet.initial(self, request, *args, **kwargs)
        if not (is_vendor_staff(request.user) or request.user.is_customer_side):
            raise PermissionDenied(_("You are not allowed to do this."))

    def get_queryset(self):
        return selectors.onboarding_list_for(person=self.request.user)

    def list(self, request):
        return self.page(self.get_queryset().order_by("-created_at", "-id"), OnboardingItemSerializer)

    def retrieve(self, request, pk):
        return self.answer(OnboardingItemSerializer, self.booking(pk))

    def create(self, request):
        serializer = OnboardingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product = product_list().filter(code=data["product"]).first()
        if product is None:
            raise ValidationError({"product": [_("Unknown product.")]})
        fields = {
            "product": product,
            "version": data["version"],
            "kind": data["kind"],
            "purchased_on": data["purchased_on"],
        }
        if is_vendor_staff(request.user):
            institution = institution_get(slug=data.get("institution", ""))
            if institution is None:
                raise ValidationError({"institution": [_("Unknown institution.")]})
            item = services.onboarding_record(actor=request.user, institution=institution, **fields)
        else:
            item = services.onboarding_request(actor=request.user, **fields)
        return self.answer(OnboardingItemSerializer, item, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], pagination_class=None)
    def schedule(self, request, pk):
        return self.transition(request, pk, "schedule", OnboardingScheduleSerializer, people=("engineer",))

    @action(detail=True, methods=["post"], pagination_class=None)
    def complete(self, request, pk):
        return self.transition(request, pk, "complete", OnboardingCompleteSerializer)
