"""Idempotency-Key for POSTs that consume a quota: mobile networks retry, and a retry must not
file a second ticket or count a second call. A retry with the same key, by the same person, on
the same endpoint gets the first answer (status and body, with `Idempotent-Replayed: true`) and
consumes nothing. An answer is kept only when the request succeeded: a refused request wrote and
consumed nothing, so trying it again is safe."""

import functools
import json

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .errors import DomainError
from .services import idempotency_claim, idempotency_store

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
        "more; the replayed answer carries the header `Idempotent-Replayed: true`."
    ),
)


def _plain(data):
    return json.loads(JSONRenderer().render(data))


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
                {HEADER: [_("The Idempotency-Key must be 1 to %(max)s characters long.") % {"max": MAX_KEY_LENGTH}]}
            )
        scope = f"{request.method} {request.path}"[:200]
        with transaction.atomic():
            record, first = idempotency_claim(actor=request.user, key=key, scope=scope)
            if not first:
                if record.status_code is None:
                    raise DomainError(
                        status_code=409,
                        code="idempotency_in_progress",
                        message=_("A request with this Idempotency-Key is still being processed; try again shortly."),
                    )
                response = Response(record.response_body, status=record.status_code)
                response["Idempotent-Replayed"] = "true"
                return response
            response = view_method(view, request, *args, **kwargs)
            idempotency_store(record=record, status_code=response.status_code, response_body=_plain(response.data))
        return response

    return wrapper
