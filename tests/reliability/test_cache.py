"""The production cache fails open: with Redis unreachable every operation answers as an empty
cache would, logs the outage once, and leaves Redis alone for a few seconds."""

import logging
import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from .processes import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_cache():
    location = f"redis://127.0.0.1:{free_port()}/0"
    config = {
        "default": {
            "BACKEND": "slaportal.cache.FailOpenRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=config):
        yield caches["default"]


def test_an_unreachable_cache_answers_as_an_empty_one(unreachable_cache):
    # when
    results = [
        unreachable_cache.get("history", ["fallback"]),
        unreachable_cache.set("history", [1]),
        unreachable_cache.add("lock", 1),
        unreachable_cache.get_many(["a", "b"]),
        unreachable_cache.has_key("a"),
        unreachable_cache.delete("a"),
    ]
    # then
    assert results == [["fallback"], None, False, {}, False, False]


def test_the_outage_is_logged_once_and_redis_left_alone_meanwhile(unreachable_cache, caplog):
    # given: a first call that finds Redis gone
    with caplog.at_level(logging.WARNING, logger="slaportal.cache"):
        unreachable_cache.get("a")
        # when
        started = time.monotonic()
        for _ in range(50):
            unreachable_cache.get("a")
        elapsed = time.monotonic() - started
    # then
    assert [record.getMessage() for record in caplog.records] == ["cache.unavailable"]
    assert elapsed < 0.5
