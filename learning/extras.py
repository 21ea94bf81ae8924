"""What other apps do when a training reminder goes out, without this app importing them.

The composition layer (`portal`) registers a function that pushes the reminder to the person's
devices; it is called in the transaction that marks the reminder sent, with the registration and
the reminder's kind (`24h` or `1h`), so whatever it writes commits with the mark or not at all."""

from collections.abc import Callable

from .models import Registration

ReminderListener = Callable[[Registration, str], None]

_LISTENERS: list[ReminderListener] = []


def reminder_listener_register(listener: ReminderListener) -> None:
    """Call `listener(registration, kind)` for every reminder sent (once per function)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def reminder_listeners_notify(*, registration: Registration, kind: str) -> None:
    for listener in _LISTENERS:
        listener(registration, kind)
