"""The console's log lines: the event name a module logs (`logger.info("sla.recorded", extra=…)`)
followed by the fields it passed as `extra`, as key=value, so one line says what happened to what.
The web server, the Celery workers and beat all log through it (settings.LOGGING)."""

import logging

# The attributes every LogRecord has; anything else on a record came from `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
_SHOWN = (str, int, float, bool, type(None))


class EventFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        # Plain values only: a request or a model instance passed by a library stays out of the line.
        fields = [
            f"{key}={value}"
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_") and isinstance(value, _SHOWN)
        ]
        return " ".join([line, *fields])
