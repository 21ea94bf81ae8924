"""`GET /metrics`: the product's figures in Prometheus' text format, for the operator's monitoring.

Open to a scraper on the same machine (a loopback address, and no X-Forwarded-For: a request that
came through the reverse proxy is not local whatever its address), otherwise only with
`Authorization: Bearer <METRICS_TOKEN>`.

Safe with many processes (gunicorn workers, Celery workers): what the database knows — SLA
breaches and warnings, the sweep's lag, the outbox, quota units, the last inbound mail fetch — is
read from it at scrape time by the collectors the apps register here (portal.metrics registers
them; this module imports no app), so every process answers the same. Request latency is
observed in the web process that served the request: with PROMETHEUS_MULTIPROC_DIR set (a folder
shared by the gunicorn workers, emptied at start) prometheus-client adds up every worker's; without
it each process reports its own. Celery's queue depth is read from Redis (LLEN) at scrape time."""

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from .queues import QUEUES

logger = logging.getLogger(__name__)

# Request latency: most pages answer within 100 ms, the reports within a few seconds.
REQUEST_LATENCY = Histogram(
    "slaportal_http_request_duration_seconds",
    "Time to answer an HTTP request, by view (the URL's name) and method.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

_collectors: list[Callable[[], Iterable[Metric]]] = []


def metrics_collector_register(collect: Callable[[], Iterable[Metric]]) -> None:
    """`collect()` yields metric families read at scrape time (prometheus_client.core's
    *MetricFamily). Registering the same function again changes nothing."""
    if collect not in _collectors:
        _collectors.append(collect)


class RequestLatencyMiddleware:
    """Observes each request's time by the name of the view that answered it (`<unresolved>`
    for an address no view has, so a scan for random paths adds one series, not thousands)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match._func_path) if match else "<unresolved>"
        REQUEST_LATENCY.labels(view=view, method=request.method).observe(time.perf_counter() - started)
        return response


# Kombu's Redis transport keeps a queue's messages of priority 0 under its name and those of the
# other priority steps under "<name>\x06\x16<step>".
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


def celery_queue_depths() -> Iterable[Metric]:
    """Messages waiting in each Celery queue, from Redis. Nothing for another broker; the broker_up
    gauge says 0 when Redis does not answer (the scrape still succeeds)."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return
    import redis

    up = GaugeMetricFamily(
        "slaportal_celery_broker_up", "1 when the Celery broker (Redis) answered the scrape."
    )
    depth = GaugeMetricFamily(
        "slaportal_celery_queue_depth", "Messages waiting in a Celery queue (Redis LLEN).", labels=["queue"]
    )
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        pipe = client.pipeline(transaction=False)
        for queue in QUEUES:
            pipe.llen(queue)
            for step in _PRIORITY_STEPS:
                pipe.llen(f"{queue}{_PRIORITY_SEPARATOR}{step}")
        lengths = pipe.execute()
    except (redis.RedisError, OSError) as exc:
        logger.warning("metrics.broker_unreachable", extra={"error": repr(exc)})
        up.add_metric([], 0)
        yield up
        return
    per_queue = 1 + len(_PRIORITY_STEPS)
    for index, queue in enumerate(QUEUES):
        depth.add_metric([queue], sum(lengths[index * per_queue : (index + 1) * per_queue]))
    up.add_metric([], 1)
    yield up
    yield depth


metrics_collector_register(celery_queue_depths)


class _Scrape:
    """What one scrape reports: the process metrics (or every process's, in multiprocess mode) and
    what the registered collectors read now."""

    def collect(self):
        multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if multiproc_dir:
            base = CollectorRegistry()
            MultiProcessCollector(base, path=multiproc_dir)
        else:
            base = REGISTRY
        yield from base.collect()
        for collect in _collectors:
            yield from collect()


def _is_local(request) -> bool:
    if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def _has_token(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not token or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode())


@never_cache
@require_GET
def metrics(request):
    if not (_is_local(request) or _has_token(request)):
        response = HttpResponse(status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_Scrape()), content_type=CONTENT_TYPE_LATEST)
