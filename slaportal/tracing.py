"""OpenTelemetry traces, off unless OTEL_ENABLED: each web request is a span (Django
instrumentation), each task sent from it carries the trace in its message headers and runs as a
child span in the worker (Celery instrumentation), so a filing's routing and the e-mails its SLA
timers send are one trace. The outbox keeps the trace of the change that wrote a row
(`outbox_trace_carrier`), so work the periodic drain picks up later still joins it. Spans leave
through the OTLP exporter (HTTP/protobuf) to OTEL_EXPORTER_OTLP_ENDPOINT, in batches off the
request path.

Called by slaportal.servers for the web (wsgi.py, asgi.py), and by the Celery worker for each of its processes
(slaportal.celery, after the fork, as the instrumentation requires)."""

import logging
from contextlib import contextmanager

from django.conf import settings
from opentelemetry import context, propagate, trace

logger = logging.getLogger(__name__)

_tracer = trace.get_tracer("slaportal")
_installed: list = []


def tracing_setup(*, exporter=None, batch: bool = True):
    """Install the tracer provider and the Django and Celery instrumentation. Does nothing unless
    settings.OTEL_ENABLED or an `exporter` is given (the tests pass an in-memory one). Returns the
    provider, or None when tracing stays off. A second call changes nothing."""
    if _installed:
        return _installed[0]
    if exporter is None and not settings.OTEL_ENABLED:
        return None
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=settings.OTEL_EXPORTER_OTLP_ENDPOINT or None)
    provider = TracerProvider(resource=Resource.create({"service.name": settings.OTEL_SERVICE_NAME}))
    provider.add_span_processor(BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter))
    DjangoInstrumentor().instrument(tracer_provider=provider, is_sql_commentor_enabled=False)
    CeleryInstrumentor().instrument(tracer_provider=provider)
    global _tracer
    _tracer = provider.get_tracer("slaportal")
    _installed.append(provider)
    logger.info("tracing.enabled", extra={"endpoint": settings.OTEL_EXPORTER_OTLP_ENDPOINT})
    return provider


def tracing_teardown() -> None:
    """Undo tracing_setup (for tests)."""
    if not _installed:
        return
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor

    DjangoInstrumentor().uninstrument()
    CeleryInstrumentor().uninstrument()
    _installed.pop().shutdown()
    global _tracer
    _tracer = trace.get_tracer("slaportal")


def outbox_trace_carrier() -> dict[str, str]:
    """The current trace, as the W3C traceparent header, to keep with work done later (an outbox
    row); empty when no trace is being recorded."""
    carrier: dict[str, str] = {}
    if _installed:
        propagate.inject(carrier)
    return carrier


@contextmanager
def traced(name: str, *, carrier: dict | None = None, **attributes):
    """A span for a piece of work, the child of the trace in `carrier` when there is one (the trace
    of the change that asked for it), else of the current one. A no-op while tracing is off."""
    if not _installed:
        yield None
        return
    parent = propagate.extract(carrier) if carrier else None
    token = context.attach(parent) if parent is not None else None
    try:
        with _tracer.start_as_current_span(name, attributes=attributes) as span:
            yield span
    finally:
        if token is not None:
            context.detach(token)
