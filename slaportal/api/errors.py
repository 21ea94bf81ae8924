"""One JSON shape for every error of the API:

    {"error": {"code": "quota_exhausted", "message": "…", "fields": {"subject": ["…"]}, …}}

`code` is stable and meant for programs, `message` is translated for people (Accept-Language;
Turkish by default), `fields` maps a request field to its messages (empty when the error is not
about one field). Domain errors add what the person needs to act on: an exhausted quota carries
`channel`, `allotment` and `renews_on`; a locked feature `feature` and `packages`.

Each domain error (a subclass of core.errors.DomainError, whichever app raises it) carries its
own code, status and facts, so this module knows that one class and no app's errors.

Status codes: 400 the request itself is malformed or fails field validation; 401 no or bad
credentials; 403 the role or the package does not allow it; 404 missing or another institution's;
409 the request is valid but the current state refuses it (quota used up, no contract, user cap
reached, a status change the ticket's status does not allow); 422 a business rule of the action
refuses it (a reply on a closed ticket, a remote session before any call); 429 throttled or
locked out."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from core import errors as domain


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for programs: e.g. invalid, not_found, quota_exhausted.")
    message = serializers.CharField(help_text="Translated, for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per request field; empty when the error is not about one field.",
    )
    channel = serializers.CharField(required=False, help_text="quota_exhausted, channel_not_included")
    allotment = serializers.IntegerField(required=False, allow_null=True, help_text="quota_exhausted")
    renews_on = serializers.DateField(
        required=False, help_text="quota_exhausted: the day the allotment renews"
    )
    package = serializers.CharField(required=False, help_text="channel_not_included, user_cap_reached")
    cap = serializers.IntegerField(required=False, help_text="user_cap_reached")
    ended_on = serializers.DateField(
        required=False, allow_null=True, help_text="no_active_subscription: the day the last contract ended"
    )
    feature = serializers.CharField(required=False, help_text="feature_locked")
    packages = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="feature_locked: the packages that include it",
    )
    retry_after = serializers.IntegerField(required=False, help_text="throttled: seconds to wait")


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


ERROR_DESCRIPTIONS = {
    400: "The request is malformed or a field is invalid (`invalid`, `parse_error`); see `fields`.",
    401: "No credentials, or a token that is unknown, revoked or belongs to a deactivated person.",
    403: "The role does not allow it (`permission_denied`), or the institution's package does not include "
    "it (`feature_locked`, with `packages`); at sign-in, the institution's directory gives the person no "
    "role or the user cap is reached (`directory_sign_in_refused`).",
    404: "Missing, or belonging to another institution: the two cannot be told apart.",
    409: "The current state refuses it: `quota_exhausted` (with `channel`, `allotment`, `renews_on`), "
    "`channel_not_included`, `no_active_subscription`, `user_cap_reached`, `invalid_transition`, "
    "`reopen_expired`, `idempotency_in_progress`.",
    422: "A business rule of the action refuses it (`rejected`), e.g. a reply on a closed ticket; or an "
    "Idempotency-Key already used with a different body (`idempotency_key_mismatch`).",
    416: "The Range asked for lies outside the file (`range_not_satisfiable`); Content-Range names its size.",
    429: "Too many requests (`throttled`, with `retry_after` and a Retry-After header) or too many failed "
    "logins (`locked_out`).",
    503: "A service the request depends on does not answer: at sign-in, the institution's directory "
    "(`directory_unavailable`).",
}


def error_responses(*codes: int, public: bool = False) -> dict:
    """OpenAPI responses for the given error statuses, all with the one error shape. 429 applies
    to every endpoint and 401 to every one that needs credentials, so they are always included."""
    wanted = sorted({*codes, 429} | (set() if public else {401}))
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in wanted}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field": [...], "parent.child": [...]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for name, value in detail.items():
            fields.update(_flatten(value, f"{prefix}.{name}" if prefix else str(name)))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            fields[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                fields.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


class DomainError(exceptions.APIException):
    """A domain error translated into the API's shape, with its extra facts."""

    def __init__(self, *, status_code: int, code: str, message: str, fields=None, **extra):
        self.status_code = status_code
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra
        super().__init__(detail=message, code=code)


def _django_validation_fields(exc: DjangoValidationError) -> tuple[str, dict[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        fields = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
        general = fields.pop("__all__", None)
        if general:
            return " ".join(general), fields
        first = next(iter(fields.values()), [""])
        return first[0], fields
    return " ".join(str(m) for m in exc.messages), {}


# Service refusals that depend on the ticket's current state rather than on what was sent.
STATE_CONFLICT_CODES = {"invalid_transition", "reopen_expired"}


def to_domain_error(exc: Exception) -> DomainError | None:
    """The API form of a domain, Django or service error, or None for what DRF handles itself."""
    if isinstance(exc, domain.DomainError):
        code = exc.code or type(exc).code
        return DomainError(status_code=exc.status_code, code=code, message=exc.message(), **exc.as_dict())
    if isinstance(exc, DjangoValidationError):
        message, fields = _django_validation_fields(exc)
        code = getattr(exc, "code", None)
        if code in STATE_CONFLICT_CODES:
            return DomainError(
                status_code=409, code=code or "invalid_transition", message=message, fields=fields
            )
        return DomainError(status_code=422, code=code or "rejected", message=message, fields=fields)
    if isinstance(exc, DjangoPermissionDenied):
        message = str(exc) or _("You are not allowed to do this.")
        return DomainError(status_code=403, code="permission_denied", message=message)
    if isinstance(exc, Http404):
        return DomainError(status_code=404, code="not_found", message=_("Not found."))
    return None


def api_exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error, whoever raised it, in the one shape."""
    exc = to_domain_error(exc) or exc
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "message": exc.message, "fields": exc.fields, **exc.extra}
    elif isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        general = fields.pop("non_field_errors", None)
        message = " ".join(general) if general else _("The request is not valid; see the fields.")
        body = {"code": "invalid", "message": message, "fields": fields}
    else:
        codes = exc.get_codes()
        body = {
            "code": codes if isinstance(codes, str) else exc.default_code,
            "message": str(exc.detail)
            if not isinstance(exc.detail, dict | list)
            else str(exc.default_detail),
            "fields": {},
        }
        if isinstance(exc, exceptions.Throttled):
            body["code"] = "throttled"
            if exc.wait is not None:
                body["retry_after"] = int(exc.wait)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        # A body in a type no parser reads is a malformed request, documented as 400 like a
        # parse error, not a 415 every endpoint would have to document.
        response.status_code = 400
    response.data = {"error": body}
    return response
