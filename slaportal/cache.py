"""The production cache: Django's Redis cache, failing open. The cache only holds API throttle
counters, so when Redis is unreachable a request is let through (as if nothing had been counted)
instead of answering 500; the outage is logged. Lockouts of django-axes live in the database and
are not affected. After a failure Redis is left alone for a few seconds, so that during an outage
a request does not pay the connection timeout on every cache call."""

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 5.0


def _fail_open(fallback):
    """Wrap a client method: on a Redis error (or while backing off) return `fallback(*args)`."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < self._down_until:
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError) as exc:
                self._failed(method.__name__, exc)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


class FailOpenRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _failed(self, operation: str, exc: Exception) -> None:
        with self._lock:
            # One log line per back-off period, not one per request.
            if time.monotonic() >= self._down_until:
                logger.warning("cache.unavailable", extra={"operation": operation, "error": repr(exc)})
            self._down_until = time.monotonic() + BACKOFF_SECONDS

    add = _fail_open(_false)(RedisCacheClient.add)
    get = _fail_open(lambda key, default: default)(RedisCacheClient.get)
    set = _fail_open(_nothing)(RedisCacheClient.set)
    touch = _fail_open(_false)(RedisCacheClient.touch)
    delete = _fail_open(_false)(RedisCacheClient.delete)
    get_many = _fail_open(lambda keys: {})(RedisCacheClient.get_many)
    has_key = _fail_open(_false)(RedisCacheClient.has_key)
    incr = _fail_open(lambda key, delta: delta)(RedisCacheClient.incr)
    set_many = _fail_open(lambda data, timeout: list(data))(RedisCacheClient.set_many)
    delete_many = _fail_open(_nothing)(RedisCacheClient.delete_many)
    clear = _fail_open(_false)(RedisCacheClient.clear)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailOpenRedisCacheClient
