"""Beat that fails over: any number of beat processes may run, and exactly one of them sends the
schedule at a time. The one that sends holds a PostgreSQL advisory lock on a connection of its
own (the lease); the others ask for the lock every second and take over as soon as it is free.

The lock belongs to the holder's database session, so PostgreSQL frees it the moment that session
ends: a beat killed or stopped closes its socket and the next beat takes over within a second. A
host that vanishes without closing its socket, or a beat that hangs, is cut off by the server
itself: the session is ended after BEAT_LEASE_TIMEOUT_SECONDS without a word from the beat (the
holder confirms its lease every second) or without an answer to TCP keepalives. The standby beats
then take over within that timeout plus a second, well inside 15 s at the default of 10.

On SQLite, or with BEAT_LEASE off, every beat sends the schedule as django-celery-beat's
DatabaseScheduler does: run only one there. If a lease is ever lost between a check and a send,
both beats may send one entry each: harmless, since every periodic task is a guarded update or a
unique row (docs/engine.md)."""

import logging
import time
import zlib

from django.conf import settings
from django.db import connections
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

# The advisory lock's key: one number per database, the same in every beat of an installation.
LEASE_KEY = zlib.crc32(b"slaportal.beat") & 0x7FFFFFFF


class Lease:
    """A session-level advisory lock on a dedicated connection, confirmed at most once a second."""

    def __init__(self, *, url: str, timeout_seconds: int, key: int = LEASE_KEY, check_every: float = 1.0):
        self.url = url
        self.timeout_seconds = timeout_seconds
        self.key = key
        self.check_every = check_every
        self.connection = None
        self.held = False
        self._checked_at = 0.0

    def _connect(self):
        import psycopg2

        timeout_ms = self.timeout_seconds * 1000
        keepalive = max(1, self.timeout_seconds // 4)
        # The server ends the session when the beat stays silent (idle_session_timeout) or its
        # host stops answering (keepalives, tcp_user_timeout): the lock goes with the session.
        options = (
            f"-c idle_session_timeout={timeout_ms} -c tcp_user_timeout={timeout_ms} "
            f"-c tcp_keepalives_idle={keepalive} -c tcp_keepalives_interval={keepalive} "
            "-c tcp_keepalives_count=3 -c application_name=slaportal-beat"
        )
        connection = psycopg2.connect(self.url, connect_timeout=5, options=options)
        connection.autocommit = True
        return connection

    def _query(self, sql: str, params=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 - a broken connection may fail to close; it is gone either way
                logger.debug("beat.lease.close_failed", exc_info=True)
        self.connection = None
        if self.held:
            logger.warning("beat.lease.lost", extra={"key": self.key})
        self.held = False

    def check(self) -> bool:
        """True while this process holds the lease; takes it when it is free."""
        now = time.monotonic()
        if now - self._checked_at < self.check_every:
            return self.held
        self._checked_at = now
        try:
            if self.connection is None:
                self.connection = self._connect()
            if self.held:
                # The session is alive, so the lock still is: confirm, and keep the session
                # from reaching its idle timeout.
                self._query("SELECT 1")
            else:
                acquired = self._query("SELECT pg_try_advisory_lock(%s)", [self.key])
                if acquired:
                    self.held = True
                    logger.warning("beat.lease.acquired", extra={"key": self.key})
        except Exception:  # noqa: BLE001 - any failure of the lease's connection means no lease
            logger.warning("beat.lease.unreachable", exc_info=True)
            self._drop()
        return self.held

    def release(self) -> None:
        self._drop()


def lease_url() -> str:
    """Where the lease's connection goes: PostgreSQL itself, never a pooler in transaction mode
    (which would hand the session, and the lock, to another client)."""
    if settings.BEAT_LEASE_DATABASE_URL:
        return settings.BEAT_LEASE_DATABASE_URL
    params = connections["default"].settings_dict
    from urllib.parse import quote

    credentials = quote(params["USER"] or "")
    if params["PASSWORD"]:
        credentials += ":" + quote(params["PASSWORD"])
    return f"postgresql://{credentials}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"


def lease_enabled() -> bool:
    return settings.BEAT_LEASE and connections["default"].vendor == "postgresql"


class LeaderScheduler(DatabaseScheduler):
    """django-celery-beat's DatabaseScheduler that sends only while it holds the lease."""

    def __init__(self, *args, **kwargs):
        self.lease = (
            Lease(url=lease_url(), timeout_seconds=settings.BEAT_LEASE_TIMEOUT_SECONDS)
            if lease_enabled()
            else None
        )
        if self.lease is None:
            logger.info("beat.lease.off")
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        if self.lease is None:
            return super().tick(*args, **kwargs)
        was_held = self.lease.held
        if not self.lease.check():
            return self.lease.check_every
        if not was_held:
            # Taking over: read the schedule again, with the last runs the previous holder wrote.
            self._initial_read = True
            self._heap = None
        return min(super().tick(*args, **kwargs), self.lease.check_every)

    def close(self):
        try:
            super().close()
        finally:
            if self.lease is not None:
                self.lease.release()
