"""Files for the apps: the answers of file endpoints, and short-lived signed URLs so a video
player, a calendar app or a PDF viewer can fetch a file without the app's token header.

A signed URL names its path, the person, a fingerprint of the credential the app used (the
token, or for the browser the session's auth hash) and is good for API_SIGNED_URL_SECONDS.
Revoking the token (or changing the password, or deactivating the person) invalidates every
URL handed out with it."""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .errors import DomainError, error_responses

SIGNATURE_PARAM = "signature"
SIGNED_URL_HELP = (
    "A signed URL: fetch it without credentials within API_SIGNED_URL_SECONDS (5 minutes by default); "
    "ask for the object again for a fresh one. Revoking the token revokes it."
)
SALT = "slaportal.api.media"


def _fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:20]


def _credential(request) -> str:
    """What the URL is bound to besides the person: the token used, else the session auth hash."""
    if isinstance(request.auth, Token):
        return "t" + _fingerprint(request.auth.key)
    return "s" + _fingerprint(request.user.get_session_auth_hash())


def signed_url(request, path: str) -> str:
    """An absolute URL for `path` (no query) that the requesting person can fetch without
    credentials for a few minutes."""
    signature = signing.dumps(
        {"p": request.user.pk, "c": _credential(request), "u": path}, salt=SALT, compress=True
    )
    return request.build_absolute_uri(f"{path}?{SIGNATURE_PARAM}={signature}")


class SignedURLAuthentication(BaseAuthentication):
    """Lets a request through as the person a signed URL was made for, while the URL is fresh,
    names this path, and the credential it was made with still exists."""

    def authenticate(self, request):
        signature = request.query_params.get(SIGNATURE_PARAM)
        if not signature:
            return None
        invalid = exceptions.AuthenticationFailed(gettext_lazy("This link has expired or is not valid."))
        try:
            payload = signing.loads(signature, salt=SALT, max_age=settings.API_SIGNED_URL_SECONDS)
        except signing.BadSignature:
            raise invalid from None
        if not isinstance(payload, dict) or payload.get("u") != request.path:
            raise invalid
        person = get_user_model().objects.select_related("institution").filter(pk=payload.get("p")).first()
        if person is None or not person.is_active:
            raise invalid
        credential = str(payload.get("c", ""))
        if credential.startswith("t"):
            token = Token.objects.filter(user=person).first()
            valid = token is not None and credential == "t" + _fingerprint(token.key)
        else:
            valid = credential == "s" + _fingerprint(person.get_session_auth_hash())
        if not valid:
            raise invalid
        return (person, None)

    def authenticate_header(self, request):
        return "Token"


# For file endpoints: a signed URL, or the app's usual credentials.
FILE_AUTHENTICATION = [SignedURLAuthentication, *api_settings.DEFAULT_AUTHENTICATION_CLASSES]


# The report files the apps download: a PDF or an Excel workbook.
REPORT_FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report_file_format(request) -> str:
    """The `format` query parameter of a report file: pdf or xlsx, else 400 on `format`."""
    fmt = request.query_params.get("format", "")
    if fmt not in REPORT_FILE_TYPES:
        message = _("Choose pdf or xlsx.")
        raise DomainError(status_code=400, code="invalid", message=message, fields={"format": [message]})
    return fmt


def report_file_schema(*, parameters: list, description: str, **kwargs) -> dict:
    """extend_schema's arguments for a report file endpoint: the query `parameters` and the
    `format` one, a binary answer per file type, and the errors."""
    return {
        "description": description,
        "parameters": [
            *parameters,
            OpenApiParameter("format", OpenApiTypes.STR, enum=sorted(REPORT_FILE_TYPES), required=True),
        ],
        "responses": {
            **{
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The report.")
                for content_type in REPORT_FILE_TYPES.values()
            },
            **error_responses(400, 403, 404),
        },
        **kwargs,
    }


class FileView(APIView):
    """An endpoint that answers a file: reached with a signed URL or the app's credentials, and
    answering its errors in JSON whatever the client accepts."""

    authentication_classes = FILE_AUTHENTICATION

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


class SignedURLScheme(OpenApiAuthenticationExtension):
    target_class = "slaportal.api.media.SignedURLAuthentication"
    name = "signedUrl"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "query",
            "name": SIGNATURE_PARAM,
            "description": "The signature of a signed URL the API handed out (recording_stream_url, ics_url, "
            "download_url, pdf_url…): good for a few minutes, for the person it was made for.",
        }


def range_checked(response: HttpResponse) -> HttpResponse:
    """A file answer, with an unsatisfiable Range answered in the API's error shape."""
    if response.status_code != 416:
        return response
    body = {
        "code": "range_not_satisfiable",
        "message": _("The range asked for lies outside the file."),
        "fields": {},
    }
    return Response({"error": body}, status=416, headers={"Content-Range": response.get("Content-Range", "")})
