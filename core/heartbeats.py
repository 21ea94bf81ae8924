"""The heartbeats of the background engines, read without knowing which app runs them: an engine's
app registers how to read when it last completed (tickets registers the SLA sweep's in
TicketsConfig.ready), and `/health/` (slaportal.health, which imports no app) asks here."""

import datetime
from collections.abc import Callable

# The SLA sweep: the engine whose silence would stop every breach.
SLA_SWEEP = "sla_sweep"
# The support mailbox's last complete fetch (notifications' IMAP poll), shown by /metrics.
INBOUND_MAIL = "inbound_mail"

_readers: dict[str, Callable[[], datetime.timedelta | None]] = {}


def heartbeat_reader_register(name: str, reader: Callable[[], datetime.timedelta | None]) -> None:
    """`reader()` answers how long ago the engine `name` last completed, or None if it never has.
    Registering the same name again replaces the reader."""
    _readers[name] = reader


def heartbeat_age(*, name: str) -> datetime.timedelta | None:
    """How long ago the engine `name` last completed; None when it never has. LookupError when no
    app has registered that engine, which the health check reports as a failure."""
    try:
        reader = _readers[name]
    except KeyError:
        raise LookupError(f"no heartbeat registered as {name!r}") from None
    return reader()
