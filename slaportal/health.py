"""Health endpoints for load balancers and orchestrators.

`/health/` (django-health-check) checks the database, the cache, the Celery broker and the SLA
engine itself: it fails when the last completed SLA sweep is older than
settings.SLA_SWEEP_MAX_AGE_SECONDS (30 s), which is what a dead beat or the death of every worker
looks like — the one failure that would silently stop every breach. The sweep records its
completion in the database (tickets.EngineHeartbeat), so the age is known through a Redis outage;
it is read through core.heartbeats, where tickets registers the reader, so this module imports no
app (the plumbing contract in pyproject.toml).
A failing check answers 503. `/health/live/` answers as long as the process serves requests and
checks nothing else, for a liveness probe that must not restart the web server because Redis or
the database is down."""

import dataclasses
import datetime
import json

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu.exceptions import OperationalError

from core.heartbeats import SLA_SWEEP, heartbeat_age


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis answers a ping; the filesystem broker's
    folders exist)."""

    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=3), repr=False)

    def run(self):
        from slaportal.celery import app

        try:
            with app.connection_for_write() as broker:
                broker.ensure_connection(max_retries=0)
                broker.default_channel  # noqa: B018 - opening a channel is what talks to the broker
        except (OperationalError, OSError) as exc:
            raise ServiceUnavailable("broker unreachable") from exc


@dataclasses.dataclass
class SLASweep(HealthCheck):
    """The last completed SLA sweep is recent."""

    age_seconds: float | None = dataclasses.field(default=None, repr=False)

    def run(self):
        try:
            age = heartbeat_age(name=SLA_SWEEP)
        except LookupError as exc:
            raise ServiceUnavailable("the SLA sweep's heartbeat is not registered") from exc
        finally:
            # Checks run on an executor thread: do not leave its connection open.
            connection.close()
        if age is None:
            raise ServiceUnavailable("no SLA sweep has completed yet")
        self.age_seconds = round(age.total_seconds(), 1)
        if self.age_seconds > settings.SLA_SWEEP_MAX_AGE_SECONDS:
            raise ServiceUnavailable(f"the last SLA sweep completed {self.age_seconds:g} s ago")


class HealthView(HealthCheckView):
    checks = (
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "slaportal.health.Broker",
        "slaportal.health.SLASweep",
    )

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        # 503, not the library's 500: the service is unavailable, the health page did not crash.
        if response.status_code == 500:
            response.status_code = 503
        return response

    def render_to_response_json(self, status):
        response = super().render_to_response_json(status)
        sweep = next((r.check for r in self.results if isinstance(r.check, SLASweep)), None)
        if sweep is not None:
            data = {**json.loads(response.content), "sla_sweep_age_seconds": sweep.age_seconds}
            return JsonResponse(data, status=status)
        return response


@never_cache
def live(request):
    return HttpResponse("ok\n", content_type="text/plain")
