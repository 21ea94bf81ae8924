"""The client's address behind 0, 1 or 2 trusted proxies."""

import pytest
from django.test import RequestFactory

from slaportal.client_address import client_address


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.2"),
        (0, "203.0.113.7", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.1.1.1, 203.0.113.7", "203.0.113.7"),
        (2, "1.1.1.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "203.0.113.7"),
        (1, " , ", "10.0.0.2"),
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    # given
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    # then
    assert client_address(request) == expected
