"""Settings shared by every environment; each value that differs per machine comes from the environment."""

import datetime
import importlib.util
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "axes",
    "django_celery_beat",
    "csp",
    "health_check",
    "core",
    "rest_framework_api_key",
    "organizations",
    "packages",
    "tickets",
    "learning",
    "portal",
    "notifications",
    "anymail",
    "reports",
    "performance",
    "bookings",
]

MIDDLEWARE = [
    # First, so a request's time for /metrics covers every other middleware too.
    "slaportal.metrics.RequestLatencyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "slaportal.middleware.TurkishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Report reads to the replica when there is one (slaportal/db_router.py).
    "slaportal.db_router.ReplicaRoutingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that a locked-out login is refused before any view runs.
    "axes.middleware.AxesMiddleware",
]
# Off unless asked for: `manage.py bench_http` turns it on for the server it starts.
QUERY_COUNT_HEADER = env.bool("QUERY_COUNT_HEADER", default=False)
if QUERY_COUNT_HEADER:
    MIDDLEWARE.insert(0, "slaportal.middleware.QueryCountMiddleware")

ROOT_URLCONF = "slaportal.urls"
WSGI_APPLICATION = "slaportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.navigation.menu",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'slaportal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the Celery worker writes; the busy timeout makes a
    # writer wait for the other instead of failing with "database is locked".
    # The desk board's partial indexes carry extra columns (INCLUDE) for index-only counts on
    # PostgreSQL; SQLite builds them without, which changes nothing but speed.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The planner's cost of a random page read, set on each connection: 1.1 for solid-state storage
    # (PostgreSQL's default, 4, assumes spinning disks and makes it scan the whole tickets table
    # where the desk board's partial indexes read the few tickets at risk). Empty: the server's.
    random_page_cost = env.str("DATABASE_RANDOM_PAGE_COST", default="1.1")
    if random_page_cost:
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (
            f"{options.get('options', '')} -c random_page_cost={float(random_page_cost)}".strip()
        )

# A connection pooler in transaction mode (pgbouncer) hands each transaction to any server
# connection, so a server-side cursor (which lives in its session) may be gone at the next fetch:
# DATABASE_POOLER=pgbouncer, or ?pooler=pgbouncer on the URL, turns Django's off.
DATABASE_POOLER = env("DATABASE_POOLER", default="")
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    _pooler = DATABASES["default"].get("OPTIONS", {}).pop("pooler", "")
    DATABASE_POOLER = DATABASE_POOLER or _pooler
    if DATABASE_POOLER == "pgbouncer":
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

# A PostgreSQL streaming replica for the reports (slaportal/db_router.py): the report pages, their
# exports and charts, the vendor report and the performance figures read from it; everything else
# from the primary. A person who has written reads from the primary for READ_YOUR_WRITES_SECONDS;
# a replica more than DATABASE_REPLICA_MAX_LAG_SECONDS behind is skipped.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
DATABASE_REPLICA_MAX_LAG_SECONDS = env.float("DATABASE_REPLICA_MAX_LAG_SECONDS", default=5.0)
READ_YOUR_WRITES_SECONDS = env.int("READ_YOUR_WRITES_SECONDS", default=5)
REPLICA_LAG_CHECK_SECONDS = 2.0
DATABASE_REPLICA_URL_NAMES = [
    "report-page",
    "report-chart",
    "report-download",
    "vendor-report-page",
    "vendor-report-download",
    "vendor-report-chart",
    "performance",
    "performance-chart",
    "performance-export",
    "performance-pdf",
    "api-report-summary",
    "api-report-download",
    "api-vendor-report",
    "api-vendor-report-download",
    "api-performance",
    "api-performance-download",
]
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **{
            key: value
            for key, value in DATABASES["default"].items()
            if key not in ("NAME", "HOST", "PORT", "USER", "PASSWORD")
        },
        **env.db_url_config(DATABASE_REPLICA_URL),
    }
    _replica_pooler = DATABASES["replica"].get("OPTIONS", {}).pop("pooler", "")
    if (_replica_pooler or DATABASE_POOLER) == "pgbouncer":
        DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["replica"].setdefault("OPTIONS", {}).update(
        {k: v for k, v in DATABASES["default"].get("OPTIONS", {}).items() if k == "options"}
    )
    # The test run reads the replica alias from the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["slaportal.db_router.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organizations.User"

# django-axes first, so that a wrong password is counted (and a locked-out name refused) whichever
# backend checks it: the local password, an institution's LDAP directory or its OpenID Connect
# provider (organizations.Directory, docs/operations.md#sign-in).
# LDAP sign-in needs python-ldap, an optional install (`.[ldap]`: it builds against the OpenLDAP
# headers); without it, institutions' LDAP directories cannot be used and local passwords remain.
LDAP_AVAILABLE = importlib.util.find_spec("ldap") is not None
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "organizations.backends.PersonBackend",
    *(["organizations.ldap_directory.DirectoryLDAPBackend"] if LDAP_AVAILABLE else []),
    "organizations.backends.DirectoryOIDCBackend",
]
# mozilla-django-oidc: the provider of each sign-in comes from the institution's directory; these
# are what every provider shares. The groups claim is asked for with the profile.
OIDC_RP_SCOPES = "openid email profile"
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
OIDC_USE_PKCE = True

# OWASP ASVS 5.0 (V6.2): at least 8 characters, not a commonly used password (Django's list of
# 20,000), not the person's own name or e-mail address, and no composition rules — so no
# "must contain a digit", and no refusal of an all-digit password (a long PIN is allowed).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "tr"
LANGUAGES = [("tr", _("Turkish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Istanbul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files served at the site's root by WhiteNoise: /favicon.ico, which browsers ask for on their own.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# S3-compatible storage for uploaded files when a bucket is configured (django-storages); files
# are private there and the learning downloads hand out short-lived signed URLs instead of streaming.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("LEARNING_SIGNED_URL_SECONDS", default=300),
            "file_overwrite": False,
        },
    }

# Learning library uploads (see docs/learning.md): videos may be large, everything else less so.
LEARNING_VIDEO_MAX_BYTES = env.int("LEARNING_VIDEO_MAX_BYTES", default=2 * 1024**3)
LEARNING_FILE_MAX_BYTES = env.int("LEARNING_FILE_MAX_BYTES", default=200 * 1024**2)
LEARNING_SIGNED_URL_SECONDS = env.int("LEARNING_SIGNED_URL_SECONDS", default=300)
# How long a signed file URL of the API (recordings, .ics, attachments, PDFs) stays good.
API_SIGNED_URL_SECONDS = env.int("API_SIGNED_URL_SECONDS", default=300)

# Outgoing mail, as one URL (django-environ's email_url): smtp+tls://user:password@host:587
# (STARTTLS), smtp+ssl://user:password@host:465 (TLS from the start), smtp://host:25 (plain), or
# consolemail:// (printed to the log, sent nowhere). Special characters in the user or password are
# percent-encoded (@ as %40). Without EMAIL_URL, EMAIL_BACKEND chooses the backend (the console by
# default); production requires EMAIL_URL (settings/production.py).
EMAIL_URL = env("EMAIL_URL", default="")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Where the file-based e-mail backend writes (used by the fault tests to count e-mails).
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
if EMAIL_URL:
    _mail = environ.Env.email_url_config(EMAIL_URL)
    EMAIL_BACKEND = _mail["EMAIL_BACKEND"]
    EMAIL_HOST = _mail["EMAIL_HOST"] or "localhost"
    EMAIL_PORT = _mail["EMAIL_PORT"] or 25
    EMAIL_HOST_USER = _mail["EMAIL_HOST_USER"] or ""
    EMAIL_HOST_PASSWORD = _mail["EMAIL_HOST_PASSWORD"] or ""
    EMAIL_USE_TLS = _mail.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _mail.get("EMAIL_USE_SSL", False)
    if _mail["EMAIL_FILE_PATH"]:
        EMAIL_FILE_PATH = _mail["EMAIL_FILE_PATH"]
# A mail server that stops answering fails the send after this many seconds (the outbox retries)
# instead of holding a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="SLA Portal <destek@slaportal.local>")
# The sender of the error reports Django mails to ADMINS.
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Uploads: the ticket form refuses larger files itself with a translated message.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_ALLOWED_EXTENSIONS = [
    "pdf",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "txt",
    "log",
    "zip",
    "docx",
    "xlsx",
    "csv",
]

# django-axes: five wrong passwords lock a username from that address for fifteen minutes.
# Reverse proxies in front of the web hosts whose X-Forwarded-For is believed (slaportal/client_address.py):
# 0 when clients reach gunicorn directly, 1 behind Caddy or one balancer.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "slaportal.client_address.client_address"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# Security headers. Content-Security-Policy allows scripts, styles, fonts and images from this
# site only: no inline <script> or <style>, no style="…" attribute, no third-party host. The
# browsable API docs page is the one exception (slaportal/urls.py), for swagger-ui from its CDN.
# Django's SecurityMiddleware sends X-Content-Type-Options: nosniff and Referrer-Policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Apps send "Authorization: Token …"; the browser keeps its session.
        "slaportal.api.authentication.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "slaportal.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "slaportal.api.throttles.UserThrottle",
        "slaportal.api.throttles.WriteThrottle",
    ],
    # Per person (per address when anonymous). High enough for a busy engineer's app; the login
    # rate is per address, on top of django-axes' lockout per username and address.
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", default="1200/min"),
        "write": env("API_THROTTLE_WRITE", default="120/min"),
        "login": env("API_THROTTLE_LOGIN", default="20/min"),
        # Per installation key: a product sends at most 1,000 events a request.
        "usage": env("API_THROTTLE_USAGE", default="1200/min"),
    },
    "DATETIME_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "SLA Portal API",
    "DESCRIPTION": (
        "Version 1 of the API used by the SLA Portal iOS and Android apps and by integrations. "
        "Authenticate with `Authorization: Token <token>` (POST /api/v1/auth/token/). Every error has "
        'one shape: `{"error": {"code", "message", "fields"}}`; messages follow Accept-Language '
        "(Turkish by default, English)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Bodies are documented as JSON only (uploads declare multipart themselves): the forms encodings
    # DRF also accepts are for the browsable API, and listing three encodings of every body made
    # generated clients take a union where one type is meant (openapi-python-client made it optional).
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "organizations.roles.Role",
        "CustomerSideRoleEnum": "organizations.api.serializers.CUSTOMER_SIDE_ROLES",
        "TicketStatusEnum": "tickets.models.Ticket.Status",
        "TicketKindEnum": "tickets.models.Ticket.Kind",
        "TicketMessageKindEnum": "tickets.models.TicketMessage.Kind",
        "DevelopmentStateEnum": "tickets.models.DevelopmentItem.State",
        "DevelopmentKindEnum": "tickets.models.DevelopmentItem.Kind",
        "NotificationModeEnum": "notifications.models.Mode",
        "NotificationPushModeEnum": "notifications.models.PushMode",
        "NotificationKindEnum": "notifications.models.Kind",
        "ContactRequestKindEnum": "bookings.models.ContactRequest.Kind",
        "OnboardingKindEnum": "bookings.models.OnboardingItem.Kind",
        "FilingChannelEnum": "tickets.api.serializers.DESK_FILING_CHOICES",
        "ChannelEnum": "packages.models.Channel",
    },
}

# --- Celery -----------------------------------------------------------------------------------
# With nothing configured the broker is kombu's filesystem transport: a real broker that needs no
# server, so the embedded default runs a real worker and beat.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
BROKER_DIR = Path(env("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
# See the Redis transport options below; tickets.dispatch.ETA_HORIZON stays under it.
REDIS_VISIBILITY_TIMEOUT = 3 * 3600
# A sender that cannot reach the broker gives up at once instead of sleeping through kombu's
# connection retries (about 2 s): the web request goes on and the sweeps do the work later. The
# worker and beat reconnect with their own retry settings, which this does not touch.
_SEND_FAIL_FAST = {"max_retries": 0}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport, with each message written atomically (see slaportal/broker.py).
    CELERY_BROKER_TRANSPORT = "slaportal.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **_SEND_FAIL_FAST,
        # A worker looks for a new message this often once it has run out (kombu's default is
        # 1 s): at 1 s a worker with two processes ran about two tasks a second under a burst.
        "polling_interval": 0.1,
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **_SEND_FAIL_FAST,
        # Redis hands an unacknowledged task to another worker after the visibility timeout.
        # With acks_late a task stays unacknowledged while it waits for its ETA, so a task
        # scheduled further ahead than this would be delivered again and again. Hence the rule:
        # no ETA or countdown beyond tickets.dispatch.ETA_HORIZON (2.5 h), kept below this 3 h
        # with room for the longest time limit. A longer timeout only delays the redelivery of
        # work a dead worker held, which the periodic sweep does not wait for anyway.
        "visibility_timeout": REDIS_VISIBILITY_TIMEOUT,
        # Consume the worker's queues in the order declared (slaportal.celery.QUEUES) instead of
        # round robin: Redis has no message priorities, so the order of the queues is
        # what lets SLA timers and priority-1 routing overtake priority-4 routing.
        "queue_order_strategy": "priority",
        # Filing a ticket must not hang on an unreachable Redis: fail fast, the sweep catches up.
        "socket_connect_timeout": 1,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Acknowledge a task after it has run, so a task whose worker dies mid-way is delivered again.
# acks_late only together with reject_on_worker_lost: alone, when the worker child is killed
# (OOM, SIGKILL, time limit) the message is acknowledged as failed and the task is gone.
# Redelivery means a task can run twice, which is harmless here: every effect is a guarded
# UPDATE or a unique row.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per process, so a long task never sits on messages another process
# could run (the ETA timers a worker holds are outside this count).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Defaults for every task; the SLA tasks set tighter limits of their own.
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# One queue per purpose, declared once with their order in slaportal.celery.QUEUES (see
# docs/engine.md): a worker started without -Q consumes all of them.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "tickets.sla_*": {"queue": "sla"},
    "tickets.outbox_drain": {"queue": "sla"},
    "core.outbox_drain": {"queue": "sla"},
    "tickets.route_unrouted": {"queue": "routing_p1"},
}
# The database scheduler keeps its state where a beat finds it after a restart or a failover.
CELERY_BEAT_SCHEDULER = "slaportal.beat:LeaderScheduler"
# Beat that fails over (slaportal/beat.py): on PostgreSQL any number of beats may run, and only the
# one holding an advisory-lock lease sends the schedule; the others take over within the timeout
# plus a second when it dies. The lease needs a session of its own on PostgreSQL itself: behind a
# pooler in transaction mode, point BEAT_LEASE_DATABASE_URL at the server directly.
BEAT_LEASE = env.bool("BEAT_LEASE", default=True)
BEAT_LEASE_TIMEOUT_SECONDS = env.int("BEAT_LEASE_TIMEOUT_SECONDS", default=10)
BEAT_LEASE_DATABASE_URL = env("BEAT_LEASE_DATABASE_URL", default="")
# The sending side must not hang or fail when the broker is away: tickets are filed without it
# and the periodic sweep catches up (see slaportal.celery.publish).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False

# Sent and failed outbox rows (and processed routing rows) are kept this long, for the admin's
# outbox list and investigations, then deleted by the beat's outbox purge in batches.
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=30)
# OpenTelemetry traces (slaportal/tracing.py), off by default: web requests and the Celery tasks
# they send, exported over OTLP/HTTP to the collector at OTEL_EXPORTER_OTLP_ENDPOINT (empty: the
# exporter's default, http://localhost:4318/v1/traces).
OTEL_ENABLED = env.bool("OTEL_ENABLED", default=False)
OTEL_EXPORTER_OTLP_ENDPOINT = env("OTEL_EXPORTER_OTLP_ENDPOINT", default="")
OTEL_SERVICE_NAME = env("OTEL_SERVICE_NAME", default="slaportal")
# /metrics (slaportal/metrics.py) answers a scraper on the same machine, or anyone sending
# "Authorization: Bearer <METRICS_TOKEN>"; empty: loopback only.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# /health/ fails when the last completed SLA sweep is older than this (beat or every worker dead).
SLA_SWEEP_MAX_AGE_SECONDS = env.int("SLA_SWEEP_MAX_AGE_SECONDS", default=30)

# SLA: warn the desk when this share of the first-response time has passed.
SLA_WARNING_RATIO = env.float("SLA_WARNING_RATIO", default=0.8)
# The breach forecast (tickets.forecast, docs/forecast.md): a ticket is at risk once its breach
# probability has stayed at or above FORECAST_BREACH_PROBABILITY for FORECAST_PERSIST_MINUTES (at
# once when just filed), and stays at risk until it falls below FORECAST_CLEAR_PROBABILITY
# (tickets.forecast.risk; chosen on bench_forecast); the desk lead is alerted when more than
# FORECAST_ALERT_THRESHOLD tickets are at risk within the hour; rates are learnt from this many
# weeks of first responses; the stored forecast is used while younger than
# FORECAST_MAX_AGE_SECONDS (the beat refreshes it every minute).
FORECAST_BREACH_PROBABILITY = env.float("FORECAST_BREACH_PROBABILITY", default=0.55)
FORECAST_PERSIST_MINUTES = env.float("FORECAST_PERSIST_MINUTES", default=4.0)
FORECAST_CLEAR_PROBABILITY = env.float("FORECAST_CLEAR_PROBABILITY", default=0.2)
FORECAST_ALERT_THRESHOLD = env.int("FORECAST_ALERT_THRESHOLD", default=2)
FORECAST_LEARN_WEEKS = env.int("FORECAST_LEARN_WEEKS", default=4)
FORECAST_MAX_AGE_SECONDS = env.int("FORECAST_MAX_AGE_SECONDS", default=90)
# Days after resolution during which the customer may reopen a ticket.
TICKET_REOPEN_DAYS = 7

# API Idempotency-Key answers are replayed for this long, then purged (core.idempotency_purge).
# A day covers any client's retries, as Stripe's 24 hours do.
IDEMPOTENCY_RETENTION = datetime.timedelta(hours=env.int("IDEMPOTENCY_RETENTION_HOURS", default=24))
# KVKK retention (portal.privacy.retention): rows destroyed per batch, each batch one short
# transaction. The rules themselves (how long each category is kept) are rows vendor staff edit.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=1000)

# The console says one line per request (gunicorn's access log), per ticket filed (ticket.filed),
# per SLA warning or breach recorded (sla.recorded) and per e-mail or problem; what each periodic
# run of the engine does — Celery's task received/succeeded, beat's sending, the sweeps' own
# counts — is DEBUG's: LOG_LEVEL=DEBUG shows it all. The workers and beat log through this
# configuration too (CELERY_WORKER_HIJACK_ROOT_LOGGER below; their -l sets the root level).
LOG_LEVEL = (env("LOG_LEVEL", default="") or "INFO").upper()
_ENGINE_CHATTER = "DEBUG" if LOG_LEVEL == "DEBUG" else "WARNING"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "slaportal.logs.EventFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "celery.app.trace": {"level": _ENGINE_CHATTER},
        "celery.worker.strategy": {"level": _ENGINE_CHATTER},
        "celery.beat": {"level": _ENGINE_CHATTER},
    },
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu warns "No hostname was supplied" on every connection to the filesystem broker, which
    # has no host.
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# What a task prints (the console e-mail backend of `dev.py run` prints each e-mail) is not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"

# The address people reach the portal at, used in links sent by e-mail.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Notifications (docs/notifications.md). Replies come back to this mailbox, plus-addressed with a
# signed token per ticket and person (destek+<token>@…), so the mail server must deliver
# plus-addresses to the mailbox itself; new e-mails to the bare address file tickets.
NOTIFICATIONS_REPLY_ADDRESS = env("NOTIFICATIONS_REPLY_ADDRESS", default="destek@slaportal.local")
# The support mailbox polled by beat. No host: no polling.
NOTIFICATIONS_IMAP = {
    "HOST": env("INBOUND_IMAP_HOST", default=""),
    "PORT": env.int("INBOUND_IMAP_PORT", default=993),
    "USER": env("INBOUND_IMAP_USER", default=""),
    "PASSWORD": env("INBOUND_IMAP_PASSWORD", default=""),
    "SSL": env.bool("INBOUND_IMAP_SSL", default=True),
    "STARTTLS": env.bool("INBOUND_IMAP_STARTTLS", default=False),
    "FOLDER": env("INBOUND_IMAP_FOLDER", default="INBOX"),
}
# Push (docs/notifications.md). Web Push is signed with the VAPID key pair; the subject is a
# mailto: or https: address the push services can reach the operator at. Without keys the browser
# pushes fail and are retried until marked failed; local.py and test.py make a pair in var/.
VAPID_SUBJECT = env("VAPID_SUBJECT", default="mailto:destek@slaportal.local")
VAPID_PUBLIC_KEY = env("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", default="")
# How each platform's pushes leave: a class with `send(subscription=, payload=, ttl=)` (notifications/push.py).
PUSH_TRANSPORTS = {
    "web": "notifications.push.WebPushTransport",
    "fcm": "notifications.push.FcmTransport",
    "apns": "notifications.push.ApnsTransport",
}
# Native apps: Firebase Cloud Messaging (HTTP v1) with a service account, and APNs with a token
# key (.p8). Unset: pushes to that platform fail and are retried, the other devices still get theirs.
FCM_PROJECT_ID = env("FCM_PROJECT_ID", default="")
FCM_SERVICE_ACCOUNT_FILE = env("FCM_SERVICE_ACCOUNT_FILE", default="")
APNS_KEY_FILE = env("APNS_KEY_FILE", default="")
APNS_KEY_ID = env("APNS_KEY_ID", default="")
APNS_TEAM_ID = env("APNS_TEAM_ID", default="")
APNS_TOPIC = env("APNS_TOPIC", default="")
APNS_HOST = env("APNS_HOST", default="https://api.push.apple.com")
# django-anymail's inbound webhooks: Mailgun's is wired (notifications/webhooks.py); its HMAC
# signing key is required, the endpoint answers 404 without it.
ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": env("MAILGUN_WEBHOOK_SIGNING_KEY", default="")}
# Product usage (performance app): raw events are kept this many months, then purged in batches
# of USAGE_PURGE_BATCH rows; a session_start with no session_end within USAGE_SESSION_MAX_HOURS is
# taken for a lost end and not counted.
USAGE_EVENT_RETENTION_MONTHS = env.int("USAGE_EVENT_RETENTION_MONTHS", default=13)
USAGE_PURGE_BATCH = env.int("USAGE_PURGE_BATCH", default=10_000)
USAGE_SESSION_MAX_HOURS = env.int("USAGE_SESSION_MAX_HOURS", default=24)
USAGE_BATCH_MAX_EVENTS = 1000
# How far in the future an event's occurred_at may lie (clock skew of the sending machine).
USAGE_MAX_FUTURE_SECONDS = 300
# VAT added to on-site day quotes (Silver contracts), as a fraction: 0.20 is 20 %.
ONSITE_VAT_RATE = Decimal(env.str("ONSITE_VAT_RATE", default="0.20"))
# A workshop cancelled by the institution earlier than this before its start gives its unit back.
WORKSHOP_FREE_CANCELLATION = datetime.timedelta(hours=env.int("WORKSHOP_FREE_CANCELLATION_HOURS", default=48))
