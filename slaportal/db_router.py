"""Reads of the reports from a PostgreSQL streaming replica, everything else from the primary.

With DATABASE_REPLICA_URL set, the database alias `replica` exists and ReplicaRoutingMiddleware
marks the requests that read from it: GET and HEAD requests of the views named in
DATABASE_REPLICA_URL_NAMES (the report pages, their exports and charts, the vendor report and
the performance figures, pages and API alike). Every other read and every write goes to the
primary (`default`). A request is kept on the primary when:

- the person has written anything in the last READ_YOUR_WRITES_SECONDS (read-your-writes: any
  POST, PUT, PATCH or DELETE sets a cookie and, for a signed-in person, a shared-cache mark);
- the replica lags more than DATABASE_REPLICA_MAX_LAG_SECONDS behind the primary, or does not
  answer (checked at most once per REPLICA_LAG_CHECK_SECONDS per process);
- the read runs inside a transaction on the primary (a service reading what it is about to
  change, or a row lock).

Without DATABASE_REPLICA_URL everything goes to `default` and the middleware does nothing."""

import contextvars
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.urls import Resolver404, resolve

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
READ_YOUR_WRITES_COOKIE = "primary_reads"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("use_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    """Reads of a request marked by ReplicaRoutingMiddleware go to the replica; all else to the primary."""

    def db_for_read(self, model, **hints):
        if _use_replica.get() and not connections[PRIMARY].in_atomic_block:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read from one may point at the other's.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class _LagCheck:
    """The replica's lag, asked of the replica at most once per interval in this process."""

    def __init__(self):
        self.checked_at = -1e9
        self.usable = False

    def replica_usable(self) -> bool:
        now = time.monotonic()
        if now - self.checked_at < settings.REPLICA_LAG_CHECK_SECONDS:
            return self.usable
        self.checked_at = now
        lag = replica_lag_seconds()
        self.usable = lag is not None and lag <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS
        if not self.usable:
            logger.warning("replica.skipped", extra={"lag_seconds": lag})
        return self.usable


_lag = _LagCheck()


def replica_lag_seconds() -> float | None:
    """How far the replica's data is behind the primary's, in seconds: 0 when it has replayed
    everything it received (an idle primary sends nothing, so the last replayed transaction may be
    old without any lag), None when the replica does not answer."""
    try:
        with connections[REPLICA].cursor() as cursor:
            if connections[REPLICA].vendor != "postgresql":
                return 0.0
            cursor.execute(
                """
                SELECT CASE
                    WHEN NOT pg_is_in_recovery() THEN 0
                    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)
                END
                """
            )
            return float(cursor.fetchone()[0])
    except DatabaseError:
        logger.warning("replica.unreachable", exc_info=True)
        connections[REPLICA].close()
        return None


def _ryw_keys(request) -> list[str]:
    """Who is writing, as the shared cache knows them: the person signed in with the session, and
    an app by its Authorization header (DRF authenticates a token only inside the view)."""
    keys = []
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization:
        keys.append("replica:wrote:auth:" + hashlib.sha256(authorization.encode()).hexdigest())
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        keys.append(f"replica:wrote:user:{user.pk}")
    return keys


def _wrote_recently(request) -> bool:
    if request.COOKIES.get(READ_YOUR_WRITES_COOKIE):
        return True
    keys = _ryw_keys(request)
    return bool(keys) and bool(cache.get_many(keys))


class ReplicaRoutingMiddleware:
    """Marks the report reads for the replica, and remembers who has just written (read-your-writes).

    The decision is taken before anything reads the database, so that the session and the person
    of a report read come from the replica too and the primary sees none of it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.url_names = set(settings.DATABASE_REPLICA_URL_NAMES)

    def _for_replica(self, request) -> bool:
        if not replica_configured() or request.method not in ("GET", "HEAD"):
            return False
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return False
        if (
            match.url_name not in self.url_names
            or request.COOKIES.get(READ_YOUR_WRITES_COOKIE)
            or not _lag.replica_usable()
        ):
            return False
        # The signed-in person is read from the replica (a session just written on the primary
        # comes with the read-your-writes cookie, which keeps this request off the replica).
        token = _use_replica.set(True)
        if _wrote_recently(request):
            _use_replica.reset(token)
            return False
        return True

    def __call__(self, request):
        try:
            self._for_replica(request)
            response = self.get_response(request)
        finally:
            _use_replica.set(False)
        if request.method not in _SAFE_METHODS and replica_configured():
            seconds = settings.READ_YOUR_WRITES_SECONDS
            response.set_cookie(
                READ_YOUR_WRITES_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )  # fmt: skip
            keys = _ryw_keys(request)
            if keys:
                cache.set_many(dict.fromkeys(keys, 1), timeout=seconds)
        return response
