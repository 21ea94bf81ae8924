"""Production: every secret comes from the environment and has no default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import EMAIL_URL, env

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)

# Without these two an installation would send its notifications nowhere, or with links to a
# developer's machine: refuse to start instead.
SITE_URL = env("SITE_URL", default="")
if not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL is not set: set it to the address people reach the portal at, e.g. "
        "SITE_URL=https://destek.example.com (the links in every e-mail are built from it)."
    )
if not EMAIL_URL:
    raise ImproperlyConfigured(
        "EMAIL_URL is not set: set it to the mail server that sends the portal's e-mails, e.g. "
        "EMAIL_URL=smtp+tls://user:password@smtp.example.com:587, or EMAIL_URL=consolemail:// to "
        "print e-mails to the log instead of sending them."
    )

# HTTPS only. Behind a proxy that terminates TLS, SECURE_PROXY_SSL_HEADER tells Django the request
# was HTTPS; plain HTTP is redirected. The health paths are exempt: load balancers and
# orchestrators probe them over plain HTTP inside the network.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^health/"]
# One year, subdomains included, as the HSTS preload list requires. Set DJANGO_SECURE_HSTS_SECONDS
# to a few minutes while trying HTTPS out on a new host, since browsers remember the header.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# Throttle counters share one cache across every gunicorn worker and host. It fails open: with
# Redis unreachable a request is let through and the outage logged (slaportal/cache.py), and the
# short timeouts keep a request from hanging on a Redis that does not answer.
if REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "slaportal.cache.FailOpenRedisCache",
            "LOCATION": env("CACHE_URL", default=REDIS_URL),  # noqa: F405
            "KEY_PREFIX": "slaportal",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
