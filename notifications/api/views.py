from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from slaportal.api.errors import DomainError, error_responses

from ..models import MANDATORY_KINDS, Kind
from ..selectors import language_for, modes_allowed, preference_modes_for
from ..services.preferences import MANDATORY_CODE, preference_update
from .serializers import PreferencesSerializer, PreferencesUpdateSerializer


def _preferences(person) -> dict:
    modes = preference_modes_for(person=person)
    return {
        "language": language_for(person_id=person.pk),
        "preferences": modes,
        "kinds": [
            {
                "kind": kind,
                "label": str(Kind(kind).label),
                "mode": mode,
                "mandatory": kind in MANDATORY_KINDS,
                "modes": modes_allowed(kind),
            }
            for kind, mode in modes.items()
        ],
    }


def _invalid(exc: DjangoValidationError) -> DomainError:
    codes = {error.code for errors in exc.error_dict.values() for error in errors}
    fields = {
        (name if name == "language" else f"preferences.{name}"): [str(m) for e in errors for m in e.messages]
        for name, errors in exc.error_dict.items()
    }
    code = MANDATORY_CODE if MANDATORY_CODE in codes else "invalid"
    message = next(iter(fields.values()))[0]
    return DomainError(status_code=400, code=code, message=message, fields=fields)


class NotificationPreferencesView(APIView):
    @extend_schema(
        operation_id="me_notifications_retrieve",
        summary="My notification preferences",
        description="Every kind of e-mail the person can receive with its mode, and the e-mails' language.",
        responses={200: PreferencesSerializer, **error_responses()},
    )
    def get(self, request):
        return Response(PreferencesSerializer(_preferences(request.user)).data)

    @extend_schema(
        operation_id="me_notifications_update",
        summary="Change my notification preferences",
        description=(
            "Send only what changes: `preferences` maps kinds to `on`, `digest` or `off`; `language` is "
            "`tr` or `en`. Turning a mandatory kind off is refused with 400 `mandatory_notification`; a "
            "kind the person does not receive or a mode the kind does not offer with 400 `invalid`. "
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
            )
        except DjangoValidationError as exc:
            raise _invalid(exc) from exc
        return Response(PreferencesSerializer(_preferences(request.user)).data)
