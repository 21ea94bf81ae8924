"""A developer's machine: debug on, embedded SQLite and filesystem broker unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Web Push needs a VAPID key pair: one is made on first use and kept in var/ unless the
# environment gives one (docs/notifications.md).
if not (VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY):  # noqa: F405
    from .vapid import vapid_dev_keys

    VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY = vapid_dev_keys(VAR_DIR / "vapid.json")  # noqa: F405
