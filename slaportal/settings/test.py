"""The test suite: fast hashing, mail kept in memory, tasks sent to the configured broker only when a test asks."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks go to an in-process broker: a test never leaves messages in a shared Redis, and a test
# that needs a real broker (or a dead one) points the Celery app at it itself. The write URL,
# because Celery lets a CELERY_BROKER_URL environment variable (set in CI) override broker_url.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_WRITE_URL = "memory://"
CELERY_BROKER_TRANSPORT = None
# Tests run without collectstatic: serve from the app folders as runserver would.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Web Push needs a VAPID key pair: one is made on first use and kept in var/ unless the
# environment gives one (docs/notifications.md).
if not (VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY):  # noqa: F405
    from .vapid import vapid_dev_keys

    VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY = vapid_dev_keys(VAR_DIR / "vapid.json")  # noqa: F405
