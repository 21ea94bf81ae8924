"""Idempotency-Key for POSTs that consume a quota: mobile networks retry, and a retry must not
file a second ticket or count a second call. A retry with the same key, by the same person, on
the same endpoint gets the first answer (status and body, with `Idempotent-Replayed: true`) and
consumes nothing. An answer is kept only when the request succeeded: a refused request wrote and
consumed nothing, so trying it again is safe.

The key is bound to what was sent, as Stripe binds it: the same key with a different body is a
client bug (a key reused for a new request), answered 422 `idempotency_key_mismatch` rather than
with the first answer, which would tell the client its new request succeeded. The body is compared
by content (fields and values, files by their bytes), so a multipart retry with a new boundary is
still the same request. Records are purged after IDEMPOTENCY_RETENTION (core.tasks)."""

import functools
import hashlib
import json

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.services import idempotency_claim, idempotency_store

from .errors import DomainError

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique value per intended request (a UUID, say), at most 200 characters. A retry with the "
        "same key by the same person on the same endpoint returns the first answer and consumes nothing "
        "more; the replayed answer carries the header `Idempotent-Replayed: true`. The same key with a "
        "different body answers 422 `idempotency_key_mismatch`."
    ),
)


def _plain(data):
    return json.loads(JSONRenderer().render(data))


def _content(value):
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        # The view reads the upload after this.
        value.seek(0)
        return {"file": value.name, "sha256": digest.hexdigest()}
    return value


def request_fingerprint(request) -> str:
    """SHA-256 of the request's parsed content: the same fields and values (and files' bytes) give
    the same fingerprint whatever the key order or multipart boundary."""
    data = request.data
    if hasattr(data, "lists"):
        data = {name: [_content(value) for value in values] for name, values in data.lists()}
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent(view_method):
    """Wrap a POST handler so that the Idempotency-Key header, when sent, makes it run once."""

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(view, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise exceptions.ValidationError(
                {
                    HEADER: [
                        _("The Idempotency-Key must be 1 to %(max)s characters long.")
                        % {"max": MAX_KEY_LENGTH}
                    ]
                }
            )
        scope = f"{request.method} {request.path}"[:200]
        fingerprint = request_fingerprint(request)
        with transaction.atomic():
            record, first = idempotency_claim(
                actor=request.user, key=key, scope=scope, request_hash=fingerprint
            )
            if not first:
                # A record from before bodies were fingerprinted has none and matches any body.
                if record.request_hash and record.request_hash != fingerprint:
                    raise DomainError(
                        status_code=422,
                        code="idempotency_key_mismatch",
                        message=_(
                            "This Idempotency-Key was already used with a different request; "
                            "send a new key for a new request."
                        ),
                    )
                if record.status_code is None:
                    raise DomainError(
                        status_code=409,
                        code="idempotency_in_progress",
                        message=_(
                            "A request with this Idempotency-Key is still being processed; try again shortly."
                        ),
                    )
                response = Response(record.response_body, status=record.status_code)
                response["Idempotent-Replayed"] = "true"
                return response
            response = view_method(view, request, *args, **kwargs)
            idempotency_store(
                record=record, status_code=response.status_code, response_body=_plain(response.data)
            )
        return response

    return wrapper
