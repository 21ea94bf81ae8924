import datetime

import pytest
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.errors import DomainError
from organizations.permissions import FeatureLocked
from packages.errors import (
    ChannelNotIncluded,
    NoActiveSubscription,
    QuotaError,
    QuotaExhausted,
    UserCapReached,
)

APP_ERRORS = [
    (QuotaExhausted(channel="written", allotment=10, renews_on=datetime.date(2027, 1, 1)), 409),
    (ChannelNotIncluded(channel="onsite_days", package="Standard"), 409),
    (NoActiveSubscription(institution="X", ended_on=datetime.date(2026, 1, 1)), 409),
    (UserCapReached(cap=50, package="Premium"), 409),
    (FeatureLocked(feature="Region-based organisation management", packages=["Premium"]), 403),
]


@pytest.mark.parametrize(("error", "status"), APP_ERRORS, ids=lambda v: type(v).__name__)
def test_every_domain_error_carries_its_code_and_status(error, status):
    # then
    assert isinstance(error, DomainError)
    assert (error.status_code, error.code) == (status, type(error).code)
    assert error.message() == str(error)


def test_quota_errors_share_the_one_base():
    # then
    assert issubclass(QuotaError, DomainError)


class _HolidayClosed(DomainError):
    code = "holiday_closed"
    status_code = 422

    def message(self) -> str:
        return "Closed for the holiday."

    def as_dict(self) -> dict:
        return {"reopens_on": "2027-01-02"}


class _RaisingView(APIView):
    permission_classes = []

    def get(self, request):
        raise _HolidayClosed()


def test_a_new_domain_error_is_answered_without_touching_the_handler():
    # given: an error class the API's handler has never heard of
    request = APIRequestFactory().get("/")
    # when
    response = _RaisingView.as_view()(request)
    # then
    assert response.status_code == 422
    assert response.data == {
        "error": {
            "code": "holiday_closed",
            "message": "Closed for the holiday.",
            "fields": {},
            "reopens_on": "2027-01-02",
        }
    }
