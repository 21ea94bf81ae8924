from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from slaportal.api.errors import DomainError, error_responses

from ..models import Kind
from ..selectors import (
    email_fixed,
    language_for,
    modes_allowed,
    preference_modes_for,
    push_modes_allowed,
    push_modes_for,
    push_subscription_list_for,
)
from ..services.preferences import MANDATORY_CODE, preference_update
from ..services.push import push_subscription_remove, push_subscription_save
from .serializers import (
    PreferencesSerializer,
    PreferencesUpdateSerializer,
    PushSubscriptionListSerializer,
    PushSubscriptionOutSerializer,
    PushSubscriptionSerializer,
    PushUnsubscribeSerializer,
)


def _preferences(person) -> dict:
    modes = preference_modes_for(person=person)
    push = push_modes_for(person=person)
    return {
        "language": language_for(person_id=person.pk),
        "preferences": modes,
        "push": push,
        "kinds": [
            {
                "kind": kind,
                "label": str(Kind(kind).label),
                "mode": mode,
                "mandatory": email_fixed(kind),
                "modes": modes_allowed(kind),
                "push": push.get(kind),
                "push_modes": push_modes_allowed(kind),
            }
            for kind, mode in modes.items()
        ],
    }


def _invalid(exc: DjangoValidationError) -> DomainError:
    codes = {error.code for errors in exc.error_dict.values() for error in errors}
    fields = {
        (name if name == "language" or name.startswith("push.") else f"preferences.{name}"): [
            str(m) for e in errors for m in e.messages
        ]
        for name, errors in exc.error_dict.items()
    }
    code = MANDATORY_CODE if MANDATORY_CODE in codes else "invalid"
    message = next(iter(fields.values()))[0]
    return DomainError(status_code=400, code=code, message=message, fields=fields)


class NotificationPreferencesView(APIView):
    @extend_schema(
        operation_id="me_notifications_retrieve",
        summary="My notification preferences",
        description=(
            "Every kind of notification the person can receive with its mode per channel — `preferences` "
            "for e-mail, `push` for their devices — and the e-mails' language."
        ),
        responses={200: PreferencesSerializer, **error_responses()},
    )
    def get(self, request):
        return Response(PreferencesSerializer(_preferences(request.user)).data)

    @extend_schema(
        operation_id="me_notifications_update",
        summary="Change my notification preferences",
        description=(
            "Send only what changes: `preferences` maps kinds to an e-mail mode (`on`, `digest` or `off`), "
            "`push` maps kinds to a push mode (`on` or `off`); `language` is `tr` or `en`. Turning a "
            "mandatory e-mail off is refused with 400 `mandatory_notification`; a kind the person does not "
            "receive, a kind that is not pushed, or a mode the kind does not offer with 400 `invalid`. "
            "Nothing is changed when anything is refused."
        ),
        request=PreferencesUpdateSerializer,
        responses={200: PreferencesSerializer, **error_responses(400)},
    )
    def patch(self, request):
        serializer = PreferencesUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            preference_update(
                actor=request.user,
                modes=serializer.validated_data.get("preferences", {}),
                language=serializer.validated_data.get("language"),
                push=serializer.validated_data.get("push", {}),
            )
        except DjangoValidationError as exc:
            raise _invalid(exc) from exc
        return Response(PreferencesSerializer(_preferences(request.user)).data)


def _subscription(subscription) -> dict:
    return PushSubscriptionOutSerializer(subscription).data


class PushSubscriptionsView(APIView):
    @extend_schema(
        operation_id="me_push_subscriptions_list",
        summary="My devices that receive pushes",
        description="The person's own push subscriptions, and the VAPID public key a browser subscribes with.",
        responses={200: PushSubscriptionListSerializer, **error_responses()},
    )
    def get(self, request):
        rows = push_subscription_list_for(person=request.user)
        return Response(
            {"vapid_public_key": settings.VAPID_PUBLIC_KEY, "results": [_subscription(row) for row in rows]}
        )

    @extend_schema(
        operation_id="me_push_subscriptions_create",
        summary="Receive pushes on this device",
        description=(
            "A browser posts its `PushSubscription.toJSON()` as it is (`endpoint`, `keys.p256dh`, `keys.auth`; "
            "`platform` defaults to `web`); a native app posts `platform` `fcm` or `apns` with its token as "
            "`endpoint`. 201 for a new device, 200 when the endpoint was known (its keys are updated, and it "
            "now belongs to the person posting). Pushes follow the `push` preferences of "
            "`/api/v1/me/notifications/`. A device its push service reports gone (404/410) is removed."
        ),
        request=PushSubscriptionSerializer,
        responses={
            200: PushSubscriptionOutSerializer,
            201: PushSubscriptionOutSerializer,
            **error_responses(400),
        },
    )
    def post(self, request):
        serializer = PushSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        keys = data.get("keys") or {}
        subscription, created = push_subscription_save(
            actor=request.user,
            platform=data["platform"],
            endpoint=data["endpoint"],
            p256dh=keys.get("p256dh", ""),
            auth=keys.get("auth", ""),
            user_agent=request.headers.get("User-Agent", "")[:300],
        )
        return Response(
            _subscription(subscription), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        operation_id="me_push_subscriptions_destroy",
        summary="Stop pushes to a device",
        description=(
            "Give the device's `endpoint` in the body (or as the `endpoint` query parameter). 204 when it was "
            "removed; 404 when the person has no device with that endpoint."
        ),
        request=PushUnsubscribeSerializer,
        parameters=[
            OpenApiParameter("endpoint", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False),
        ],
        responses={204: None, **error_responses(400, 404)},
    )
    def delete(self, request):
        endpoint = request.query_params.get("endpoint")
        if not endpoint:
            serializer = PushUnsubscribeSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            endpoint = serializer.validated_data["endpoint"]
        if not push_subscription_remove(actor=request.user, endpoint=endpoint):
            raise DomainError(status_code=404, code="not_found", message=gettext("No such device."))
        return Response(status=status.HTTP_204_NO_CONTENT)
